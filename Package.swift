// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Retreat",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "retreat", targets: ["retreat"]),
        .library(name: "RetreatICal", targets: ["RetreatICal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // libical through pkg-config; `make` installs libical-dev when pkg-config cannot find it.
        .systemLibrary(
            name: "CLibical",
            pkgConfig: "libical",
            providers: [.apt(["libical-dev", "pkg-config"])]
        ),
        // The only module that touches libical.
        .target(name: "RetreatICal", dependencies: ["CLibical"], swiftSettings: strict),
        // Pure scheduling rules: no I/O, no libical; `today` and settings are inputs.
        .target(name: "RetreatScheduling", swiftSettings: strict),
        // Pure agenda planning: module catalog (TOML), day templates, the planner and its score.
        .target(
            name: "RetreatAgenda",
            dependencies: ["RetreatScheduling", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strict
        ),
        // Reading the practice TOML into values (TOMLDecoder, errors that name the key).
        .target(
            name: "RetreatConfig",
            dependencies: ["RetreatScheduling", "RetreatAgenda", .product(name: "TOMLKit", package: "TOMLKit")],
            swiftSettings: strict
        ),
        // Persistence only: the store protocol and its SQLite implementation (GRDB records, migrations).
        .target(
            name: "RetreatStore",
            dependencies: ["RetreatScheduling", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // The store protocol on PostgreSQL (postgres-nio): for practices that outgrow one machine.
        .target(
            name: "RetreatPostgres",
            dependencies: [
                "RetreatStore", "RetreatScheduling", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Plain values to iCalendar documents; imported calendars to busy time.
        .target(name: "RetreatCalendars", dependencies: ["RetreatICal", "RetreatScheduling", "RetreatAgenda"], swiftSettings: strict),
        // The use cases: one call each, one transaction, rules from the pure modules, writes through the store.
        .target(
            name: "RetreatApp",
            dependencies: [
                "RetreatScheduling", "RetreatAgenda", "RetreatConfig", "RetreatStore", "RetreatPostgres", "RetreatCalendars", "RetreatICal",
            ],
            swiftSettings: strict
        ),
        .target(
            name: "RetreatCLI",
            dependencies: [
                "RetreatApp", "RetreatScheduling", "RetreatAgenda", "RetreatCalendars", "RetreatICal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "retreat", dependencies: ["RetreatCLI"], swiftSettings: strict),
        // Benchmarks (not timed tests): `make bench`.
        .executableTarget(
            name: "RetreatBench", dependencies: ["RetreatScheduling", "RetreatApp", "RetreatConfig"], path: "Benchmarks/RetreatBench", swiftSettings: strict),
        .executableTarget(name: "AgendaBench", dependencies: ["RetreatAgenda", "RetreatScheduling"], path: "Benchmarks/AgendaBench"),
        // libFuzzer target over the parser and the import path (`make fuzz`); a replay tool otherwise.
        .executableTarget(name: "RetreatFuzz", dependencies: ["RetreatICal", "RetreatCalendars", "RetreatScheduling"], path: "Fuzz/RetreatFuzz"),
        .executableTarget(
            name: "RetreatStress",
            dependencies: ["RetreatScheduling", "RetreatApp", "RetreatConfig"],
            path: "Benchmarks/RetreatStress", swiftSettings: strict
        ),
        .testTarget(name: "RetreatICalTests", dependencies: ["RetreatICal"], swiftSettings: strict),
        .testTarget(name: "RetreatSchedulingTests", dependencies: ["RetreatScheduling"]),
        .testTarget(name: "RetreatSeriesTests", dependencies: ["RetreatScheduling"]),
        .testTarget(name: "RetreatAgendaTests", dependencies: ["RetreatAgenda", "RetreatScheduling"], exclude: ["Golden"]),
        .testTarget(name: "RetreatStoreTests", dependencies: ["RetreatStore", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strict),
        .testTarget(
            name: "RetreatAppTests", dependencies: ["RetreatApp", "RetreatConfig", "RetreatStore", "RetreatPostgres", "RetreatScheduling", "RetreatAgenda"],
            swiftSettings: strict),
        .testTarget(
            name: "RetreatPostgresTests",
            dependencies: ["RetreatPostgres", "RetreatStore", "RetreatScheduling", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: strict),
        .testTarget(name: "RetreatCalendarsTests", dependencies: ["RetreatCalendars", "RetreatICal", "RetreatScheduling"], swiftSettings: strict),
        .testTarget(
            name: "RetreatCLITests", dependencies: ["RetreatCLI", "RetreatICal", "RetreatStore", "RetreatPostgres", "RetreatScheduling"], swiftSettings: strict),
    ]
)
