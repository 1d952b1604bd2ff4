// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "tokenwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tokenwatch", targets: ["tokenwatch"]),
        .library(name: "TokenWatchCore", targets: ["TokenWatchCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", "5.0.1"..<"7.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.70.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.23.0"),
    ],
    targets: [
        // libzmq from Debian's libzmq3-dev. No pkgConfig: Debian's libzmq.pc carries a flag SwiftPM refuses,
        // and the header and library are on default paths.
        .systemLibrary(
            name: "CZeroMQ",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        // simdjson (Debian's libsimdjson-dev) behind a small C interface: the hot parse path.
        .target(
            name: "CEventJSON",
            cxxSettings: [.unsafeFlags(["-O3"]), .define("SIMDJSON_THREADS_ENABLED", to: "1")],
            linkerSettings: [.linkedLibrary("simdjson")]
        ),
        // The prompt fingerprint's pass over the text, in C: one loop over bytes whose cost per byte and per word
        // the compiler does not move from build to build.
        .target(name: "CPromptFingerprint", cSettings: [.unsafeFlags(["-O3"])]),
        // jemalloc (Debian's libjemalloc-dev) in place of glibc's malloc for the whole process of each executable
        // that depends on this, with options built in (allocator.c): decoding and detection allocate and free at
        // a high rate on two threads, which glibc's per-thread arenas handle poorly (one `mprotect` per page as an
        // arena grows).
        .target(name: "CAllocator", linkerSettings: [.linkedLibrary("jemalloc")]),
        .target(
            name: "TokenWatchCore",
            dependencies: [
                "CEventJSON",
                "CPromptFingerprint",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "TokenWatchRuntime",
            dependencies: [
                "TokenWatchCore",
                "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // OTLP's export requests (protobuf and JSON) turned into token events: pure, no I/O. The protobuf messages
        // are generated from otlp_subset.proto once and committed (`make proto`).
        .target(
            name: "TokenWatchOTLP",
            dependencies: ["TokenWatchCore", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["otlp_subset.proto"]
        ),
        // `tokenwatch bridge`: an OTLP/HTTP receiver that publishes token events to the daemon.
        .target(
            name: "TokenWatchBridge",
            dependencies: [
                "TokenWatchOTLP", "TokenWatchCore", "TokenWatchRuntime", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            ]
        ),
        // `tokenwatch forward`: alerts, caught up and deduplicated, delivered to Alertmanager and webhooks.
        .target(
            name: "TokenWatchForward",
            dependencies: [
                "TokenWatchClient", "TokenWatchCore", "TokenWatchRuntime", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // Not part of the daemon: the traffic simulator, the detection evaluation and the threshold-test runner.
        .target(
            name: "TokenWatchSimulation",
            dependencies: ["TokenWatchCore", .product(name: "Yams", package: "Yams")]
        ),
        // What a Swift consumer or publisher needs: alert listener, catch-up client, event sender.
        .target(name: "TokenWatchClient", dependencies: ["TokenWatchCore", "ZeroMQ"]),
        .executableTarget(
            name: "tokenwatch",
            dependencies: [
                "CAllocator",
                "TokenWatchCore",
                "TokenWatchRuntime",
                "TokenWatchSimulation",
                "TokenWatchClient",
                "TokenWatchBridge",
                "TokenWatchForward",
                "ZeroMQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // `make bench`: per-stage costs, memory per subject, event-to-alert latency. Not a test; never asserts timings.
        .executableTarget(
            name: "tokenwatch-bench",
            dependencies: [
                // The same allocator as the daemon, so that per-stage costs and memory per subject are the daemon's.
                "CAllocator",
                "TokenWatchCore", "TokenWatchRuntime", "TokenWatchSimulation", "ZeroMQ",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Benchmarks/TokenWatchBench"
        ),
        // Tests/Fixtures: files the tests read by path (checkpoints of earlier formats and what follows them).
        .testTarget(name: "TokenWatchCoreTests", dependencies: ["TokenWatchCore", "TokenWatchSimulation"]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        // A loopback HTTP server on POSIX sockets: the receivers `forward` delivers to in tests.
        .target(name: "LoopbackHTTPServer", path: "Tests/LoopbackHTTPServer"),
        .testTarget(
            name: "TokenWatchForwardTests",
            dependencies: [
                "TokenWatchForward", "TokenWatchCore", "LoopbackHTTPServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .testTarget(name: "TokenWatchClientTests", dependencies: ["TokenWatchClient", "ZeroMQ"]),
        .testTarget(name: "TokenWatchSimulationTests", dependencies: ["TokenWatchSimulation", "TokenWatchCore"]),
        // The OTLP translation `tokenwatch bridge` publishes with.
        .testTarget(
            name: "TokenWatchBridgeTests",
            dependencies: [
                "TokenWatchOTLP", "TokenWatchCore", "TokenWatchSimulation",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "TokenWatchRuntimeTests",
            dependencies: [
                "TokenWatchRuntime", "TokenWatchClient", "TokenWatchCore", "TokenWatchSimulation", "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["ZeroMQ", "TokenWatchCore", "LoopbackHTTPServer"]
        ),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)
