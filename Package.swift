// swift-tools-version:6.0
import PackageDescription

// Module map (the data flow, see docs/architecture.md):
//   FloatIPCore       pure: config, decision engine, wire codec, hysteresis, seams (no I/O, no clock reads)
//   FloatIPSimulator  many nodes of the core on a simulated network and clock, with invariant checks
//   FloatIPLinux      rtnetlink, ARP/NA announcements, ICMP echo, the local mover (CFloatIPLinux: headers only)
//   FloatIPChecks     health checks of every kind, and the scheduler that runs them
//   FloatIPAgent      the running node: NodeMachine with clock, transport, movers and checks plugged in
//   FloatIPAssembly   the wiring: MoverSet (every mover kind), config validation, the agent's ServiceGroup
//   FloatIPLab        the lab: namespaces, agents, responders and a client probe on one machine (root)
//   floatip           the thin command-line executable: argument parsing and printing (one subcommand per file)
//   FloatIPDNS        RFC 2136 dynamic update with TSIG, its UDP/TCP client, the `dns` mover
//   FloatIPCloud      cloud movers: each provider's floating-IP API (HTTP with retries, SigV4, credentials),
//                     the `script` mover (the operator's commands) and `azure-lb` (a load balancer's probe)
//   FloatIPCoordination  etcd v3 over its JSON gateway: client, per-group election, the fenced mover
//   FloatIPBGP        pure: the BGP-4 codec and session machine, and BFD (RFC 5880), for the coming `bgp` mover

// The core and the simulator are compute-bound (the test suite runs thousands of simulated
// clusters): they are optimised in debug builds too. Everything else keeps the debug defaults.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "floatip",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "floatip", targets: ["floatip"]),
        .library(name: "FloatIPCore", targets: ["FloatIPCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Already resolved through async-http-client; named for the etcd client's TLS files.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
    ],
    targets: [
        .target(
            name: "FloatIPCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: optimised
        ),
        .target(name: "FloatIPSimulator", dependencies: ["FloatIPCore"], swiftSettings: optimised),
        .target(name: "FloatIPBGP", dependencies: ["FloatIPCore"]),
        .target(name: "CFloatIPLinux"),
        .target(name: "FloatIPLinux", dependencies: ["FloatIPCore", "FloatIPBGP", "CFloatIPLinux", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "FloatIPChecks",
            dependencies: [
                "FloatIPCore",
                "FloatIPLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "FloatIPAgent",
            dependencies: [
                "FloatIPCore",
                "FloatIPLinux",
                "FloatIPChecks",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "FloatIPCloud",
            dependencies: [
                "FloatIPCore",
                "FloatIPLinux",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA (RS256) for Google service-account keys; from swift-crypto, no RSA of our own.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "FloatIPLab", dependencies: ["FloatIPCore", "FloatIPLinux", "CFloatIPLinux"]),
        // DNS failover: RFC 2136 update with TSIG (wire format, client, the `dns` mover).
        .target(
            name: "FloatIPDNS",
            dependencies: ["FloatIPCore", "FloatIPLinux", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log")]
        ),
        // Coordination through etcd (leases, elections, the fenced mover).
        .target(
            name: "FloatIPCoordination",
            dependencies: [
                "FloatIPCore",
                "FloatIPLinux",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // The wiring of the parts: the registry of mover kinds, check-config's rules, the agent's services.
        .target(
            name: "FloatIPAssembly",
            dependencies: [
                "FloatIPCore",
                "FloatIPBGP",
                "FloatIPLinux",
                "FloatIPChecks",
                "FloatIPAgent",
                "FloatIPDNS",
                "FloatIPCloud",
                "FloatIPCoordination",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "floatip",
            dependencies: [
                "FloatIPCore",
                "FloatIPSimulator",
                "FloatIPLinux",
                "FloatIPChecks",
                "FloatIPAgent",
                "FloatIPAssembly",
                "FloatIPLab",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Namespaces, veths, commands and off-pool helpers for the tests.
        .target(
            name: "FloatIPTestSupport",
            dependencies: [
                "FloatIPCloud", "FloatIPLab", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // The Google fake checks RS256 signatures and makes service-account keys.
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Tests/Support"),
        .testTarget(
            name: "FloatIPCoreTests",
            dependencies: ["FloatIPCore", "FloatIPSimulator", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "FloatIPSimulatorTests", dependencies: ["FloatIPSimulator", "FloatIPCore", "FloatIPTestSupport"]),
        .testTarget(
            name: "FloatIPAgentTests",
            dependencies: [
                "FloatIPAgent", "FloatIPCore", "FloatIPLinux", "FloatIPTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "floatipTests", dependencies: ["floatip", "FloatIPCore", "FloatIPLab", "FloatIPTestSupport"]),
        .testTarget(
            name: "FloatIPChecksTests",
            dependencies: [
                "FloatIPChecks", "FloatIPCore", "FloatIPLinux", "FloatIPTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "FloatIPDNSTests", dependencies: ["FloatIPDNS", "FloatIPCore", "FloatIPSimulator", "FloatIPTestSupport"]),
        .testTarget(
            name: "FloatIPCloudTests",
            dependencies: [
                "FloatIPCloud", "FloatIPCore", "FloatIPLinux", "FloatIPTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "FloatIPAssemblyTests",
            dependencies: [
                "FloatIPAssembly", "FloatIPAgent", "FloatIPCloud", "FloatIPCore", "FloatIPCoordination", "FloatIPLinux",
                "FloatIPTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "FloatIPCoordinationTests",
            dependencies: ["FloatIPCoordination", "FloatIPCore", "FloatIPTestSupport"]),
        .testTarget(
            name: "FloatIPBGPTests",
            dependencies: ["FloatIPBGP", "FloatIPCore", "FloatIPLinux", "FloatIPTestSupport"]),
        .testTarget(
            name: "FloatIPLinuxTests",
            dependencies: ["FloatIPLinux", "FloatIPCore", "CFloatIPLinux", "FloatIPTestSupport"]),
    ]
)
