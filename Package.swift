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
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // libical through pkg-config; `make` installs libical-dev when pkg-config cannot find it.
        .systemLibrary(
            name: "CLibical",
            pkgConfig: "libical",
            providers: [.apt(["libical-dev", "pkg-config"])]
        ),
        // The only module that touches libical.
        .target(name: "RetreatICal", dependencies: ["CLibical"]),
        // Pure scheduling rules: no I/O, no libical; `today` and settings are inputs.
        .target(name: "RetreatScheduling"),
        // Pure agenda planning: module catalog (TOML), day templates, the planner and its score.
        .target(name: "RetreatAgenda", dependencies: ["RetreatScheduling"]),
        // Reading the practice TOML into values (TOMLDecoder, errors that name the key).
        .target(
            name: "RetreatConfig",
            dependencies: ["RetreatScheduling", "RetreatAgenda", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // Persistence only: the store protocol and its SQLite implementation (GRDB records, migrations).
        .target(
            name: "RetreatStore",
            dependencies: [
                "RetreatScheduling", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The store protocol on PostgreSQL (postgres-nio): for practices that outgrow one machine.
        .target(
            name: "RetreatPostgres",
            dependencies: [
                "RetreatStore", "RetreatScheduling", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Plain values to iCalendar documents; imported calendars to busy time.
        .target(name: "RetreatCalendars", dependencies: ["RetreatICal", "RetreatScheduling", "RetreatAgenda"]),
        // The use cases: one call each, one transaction, rules from the pure modules, writes through the store.
        .target(
            name: "RetreatApp",
            dependencies: [
                "RetreatScheduling", "RetreatAgenda", "RetreatConfig", "RetreatStore", "RetreatPostgres", "RetreatCalendars", "RetreatICal", "RetreatMail",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "RetreatCLI",
            dependencies: [
                "RetreatApp", "RetreatScheduling", "RetreatAgenda", "RetreatCalendars", "RetreatICal", "RetreatStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Hummingbird 2: subscription feeds, the couples' request page and the staff API over the same use cases.
        .target(
            name: "RetreatServer",
            dependencies: [
                "RetreatApp", "RetreatScheduling", "RetreatAgenda", "RetreatStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(name: "retreat", dependencies: ["RetreatCLI", "RetreatServer"]),
        // iMIP e-mail (RFC 6047) built from validated values, handed to the system's sendmail command.
        .target(name: "RetreatMail", dependencies: ["RetreatScheduling"]),
        // Benchmarks (not timed tests): `make bench`.
        .executableTarget(
            name: "RetreatBench", dependencies: ["RetreatScheduling", "RetreatApp", "RetreatConfig"], path: "Benchmarks/RetreatBench"),
        .executableTarget(name: "AgendaBench", dependencies: ["RetreatAgenda", "RetreatConfig", "RetreatScheduling"], path: "Benchmarks/AgendaBench"),
        // libFuzzer target over the parser and the import path (`make fuzz`); a replay tool otherwise.
        .executableTarget(name: "RetreatFuzz", dependencies: ["RetreatICal", "RetreatCalendars", "RetreatScheduling"], path: "Fuzz/RetreatFuzz"),
        .executableTarget(
            name: "RetreatStress",
            dependencies: ["RetreatScheduling", "RetreatApp", "RetreatConfig"],
            path: "Benchmarks/RetreatStress"
        ),
        .testTarget(name: "RetreatICalTests", dependencies: ["RetreatICal"]),
        .testTarget(name: "RetreatSchedulingTests", dependencies: ["RetreatScheduling"]),
        .testTarget(name: "RetreatSeriesTests", dependencies: ["RetreatScheduling"]),
        .testTarget(name: "RetreatAgendaTests", dependencies: ["RetreatAgenda", "RetreatConfig", "RetreatScheduling"], exclude: ["Golden"]),
        .testTarget(name: "RetreatStoreTests", dependencies: ["RetreatStore", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "RetreatAppTests",
            dependencies: [
                "RetreatApp", "RetreatConfig", "RetreatStore", "RetreatPostgres", "RetreatScheduling", "RetreatAgenda", "RetreatMail", "RetreatICal",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "RetreatPostgresTests",
            dependencies: ["RetreatPostgres", "RetreatStore", "RetreatScheduling", .product(name: "PostgresNIO", package: "postgres-nio")]),
        .testTarget(name: "RetreatCalendarsTests", dependencies: ["RetreatCalendars", "RetreatICal", "RetreatScheduling", "RetreatAgenda"]),
        .testTarget(name: "RetreatMailTests", dependencies: ["RetreatMail", "RetreatScheduling", "RetreatICal"], exclude: ["Harness", "Golden"]),
        .testTarget(
            name: "RetreatServerTests",
            dependencies: [
                "RetreatServer", "RetreatApp", "RetreatScheduling", "RetreatStore", "RetreatPostgres", .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        .testTarget(name: "RetreatCLITests", dependencies: ["RetreatCLI", "RetreatICal", "RetreatStore", "RetreatPostgres", "RetreatScheduling"]),
    ]
)

// The upcoming-feature settings apply to every Swift target, tests, benchmarks and the fuzz harness included.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + strict
}
