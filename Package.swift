// swift-tools-version:6.1
import PackageDescription

// Kernels run 300× slower without optimisation and an FMA-capable target CPU, and `swift test`
// builds debug: the trainer is always compiled with -O for haswell (AVX2+FMA). See notes in docs/bench.md.
// GEMM's register tile lives in a module of its own built for skylake-avx512; the trainer runs its
// AVX-512 tile only on CPUs that have it (CPUFeatures), so the binaries still run on any AVX2 machine.
#if arch(x86_64)
let kernelFlags: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", "haswell"])]
let tileFlags: [SwiftSetting] = [.unsafeFlags(["-O", "-target-cpu", "skylake-avx512"])]
#else
let kernelFlags: [SwiftSetting] = [.unsafeFlags(["-O"])]
let tileFlags: [SwiftSetting] = [.unsafeFlags(["-O"])]
#endif

let package = Package(
    name: "RNNSweep",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "coordinator", targets: ["coordinator"]),
        .executable(name: "worker", targets: ["worker"]),
        .executable(name: "bench", targets: ["bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // The system layer, below everything: glibc's _GNU_SOURCE declarations, and the durable file
        // writer, wake-up pipe, SHA-256 hex and signal source that several modules share.
        .systemLibrary(name: "CSystemShim"),
        .target(name: "SystemSupport", dependencies: [
            "CSystemShim",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),

        // A trial's configuration vocabulary (model, training, split, generation, preprocessing) and
        // its epoch metrics: one set of types and defaults for the trainer and the sweep tooling.
        .target(name: "TrialSpec"),

        // Trainer: of ours, imports only the vocabulary and the system layer (checkpoint files).
        .target(name: "CharRNNTile", swiftSettings: tileFlags),
        .target(name: "CharRNN", dependencies: ["TrialSpec", "SystemSupport", "CSystemShim", "CharRNNTile"], swiftSettings: kernelFlags),

        // libzmq and its Swift face. Debian's libzmq3-dev puts zmq.h and libzmq.so on the default
        // paths; no pkgConfig here, because libzmq.pc's `-isystem` flags make SwiftPM warn on every build.
        .systemLibrary(name: "CZeroMQ"),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        // ZeroMQ sockets as the services' transport (SweepProtocol's MessageTransport).
        .target(name: "ZeroMQTransport", dependencies: ["ZeroMQ", "SweepProtocol"]),

        // Sweep values, wire protocol, store.
        .target(name: "SweepCore", dependencies: ["TrialSpec", "SystemSupport"]),
        .target(name: "SweepProtocol", dependencies: ["TrialSpec"], exclude: ["SPEC.md"]),
        .target(name: "SweepStore", dependencies: ["SystemSupport", "TrialSpec", .product(name: "GRDB", package: "GRDB.swift")]),

        // Services.
        // CharRNN: the coordinator inspects checkpoints before it keeps or resumes from them.
        .target(name: "SweepCoordinator", dependencies: [
            "SweepCore", "SweepProtocol", "SweepStore", "ZeroMQ", "ZeroMQTransport", "SystemSupport", "CharRNN",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "SweepWorker", dependencies: [
            "TrialSpec", "SweepCore", "SweepProtocol", "ZeroMQTransport", "CharRNN", "SystemSupport", "CSystemShim",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Executables.
        .executableTarget(name: "coordinator", dependencies: [
            "SweepCoordinator", "SweepCore", "SweepStore", "CharRNN",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "worker", dependencies: [
            "SweepWorker", "SweepCore", "SystemSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "bench", dependencies: [
            "CharRNN", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: kernelFlags),

        // libzmq throughput through the wrapper vs raw C calls (docs/zeromq-bench.md).
        .executableTarget(name: "zmq-bench", dependencies: ["ZeroMQ", "CZeroMQ"], path: "tools/zmq-bench"),

        // Tests.
        .target(name: "SweepTestSupport", dependencies: ["SweepProtocol", "SystemSupport", "TrialSpec"]),
        .testTarget(name: "SystemSupportTests", dependencies: ["SystemSupport", "SweepTestSupport"]),
        .testTarget(name: "CharRNNTests", dependencies: ["CharRNN", "CharRNNTile", "CSystemShim", "SystemSupport"], resources: [.copy("Fixtures")], swiftSettings: kernelFlags),
        .testTarget(name: "SweepCoreTests", dependencies: ["SweepCore", "SystemSupport"]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"]),
        .testTarget(name: "SweepProtocolTests", dependencies: ["SweepProtocol", "SweepTestSupport", "TrialSpec"]),
        .testTarget(name: "SweepStoreTests", dependencies: ["SweepStore", "SweepTestSupport", "SystemSupport", "TrialSpec", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "SweepCoordinatorTests", dependencies: [
            "SweepCoordinator", "SweepWorker", "SweepTestSupport", "SweepCore", "SweepProtocol", "SweepStore", "ZeroMQ", "ZeroMQTransport", "TrialSpec", "CharRNN",
            "SystemSupport", .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The worker's own parts, and both services driven over the in-memory network and a fake clock.
        .testTarget(name: "SweepWorkerTests", dependencies: [
            "SweepWorker", "SweepCoordinator", "SweepTestSupport", "SweepCore", "SweepProtocol", "SweepStore",
            "SystemSupport", "ZeroMQ", "TrialSpec", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "SweepStore", "SweepProtocol", "SweepTestSupport", "ZeroMQ", "SystemSupport", "TrialSpec", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
