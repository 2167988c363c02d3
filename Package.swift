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
        .target(
            name: "RetreatCLI",
            dependencies: [
                "RetreatICal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "retreat", dependencies: ["RetreatCLI"], swiftSettings: strict),
        .testTarget(name: "RetreatICalTests", dependencies: ["RetreatICal"], swiftSettings: strict),
    ]
)
