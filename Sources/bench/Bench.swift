import ArgumentParser

/// `bench` (= `bench train`) measures trainer throughput; `bench gemm` and `bench math` the kernels.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Kernel and trainer throughput benchmarks (kernels on one thread, the trainer on --threads).",
        subcommands: [TrainBench.self, GEMMBench.self, MathBench.self],
        defaultSubcommand: TrainBench.self
    )
}
