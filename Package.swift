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
        // SQLite through GRDB: migrations, bookings, occupancy, blackouts, waitlist, audit log.
        .target(
            name: "RetreatStore",
            dependencies: ["RetreatScheduling", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // Maps bookings to iCalendar documents.
        .target(name: "RetreatCalendars", dependencies: ["RetreatICal", "RetreatScheduling", "RetreatStore", "RetreatAgenda"], swiftSettings: strict),
        .target(
            name: "RetreatCLI",
            dependencies: [
                "RetreatICal", "RetreatScheduling", "RetreatStore", "RetreatCalendars", "RetreatAgenda",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "retreat", dependencies: ["RetreatCLI"], swiftSettings: strict),
        // iMIP e-mail (RFC 6047) built from validated values, handed to the system's sendmail command.
        .target(name: "RetreatMail", dependencies: ["RetreatScheduling"], swiftSettings: strict),
        // Benchmarks (not timed tests): `make bench`.
        .executableTarget(name: "RetreatBench", dependencies: ["RetreatScheduling", "RetreatStore"], path: "Benchmarks/RetreatBench"),
        .executableTarget(name: "AgendaBench", dependencies: ["RetreatAgenda", "RetreatScheduling"], path: "Benchmarks/AgendaBench"),
        // libFuzzer target over the parser and the import path (`make fuzz`); a replay tool otherwise.
        .executableTarget(name: "RetreatFuzz", dependencies: ["RetreatICal", "RetreatCalendars", "RetreatScheduling"], path: "Fuzz/RetreatFuzz"),
        .executableTarget(
            name: "RetreatStress",
            dependencies: ["RetreatScheduling", "RetreatStore", "RetreatCalendars", "RetreatICal", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Benchmarks/RetreatStress"
        ),
        .testTarget(name: "RetreatICalTests", dependencies: ["RetreatICal"], swiftSettings: strict),
        .testTarget(name: "RetreatSchedulingTests", dependencies: ["RetreatScheduling"]),
        .testTarget(name: "RetreatSeriesTests", dependencies: ["RetreatScheduling"]),
        .testTarget(name: "RetreatAgendaTests", dependencies: ["RetreatAgenda", "RetreatScheduling"], exclude: ["Golden"]),
        .testTarget(name: "RetreatStoreTests", dependencies: ["RetreatStore", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strict),
        .testTarget(name: "RetreatCalendarsTests", dependencies: ["RetreatCalendars", "RetreatICal", "RetreatScheduling"], swiftSettings: strict),
        .testTarget(
            name: "RetreatMailTests", dependencies: ["RetreatMail", "RetreatScheduling", "RetreatICal"], exclude: ["Harness", "Golden"],
            swiftSettings: strict
        ),
        .testTarget(name: "RetreatCLITests", dependencies: ["RetreatCLI", "RetreatICal", "RetreatStore", "RetreatScheduling"], swiftSettings: strict),
    ]
)
