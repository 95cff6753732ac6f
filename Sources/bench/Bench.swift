import ArgumentParser

/// `bench gemm` measures the GEMM ceiling; `bench train` measures trainer throughput.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Kernel and trainer throughput benchmarks (single thread).",
        subcommands: [GEMMBench.self, MathBench.self]
    )
}
