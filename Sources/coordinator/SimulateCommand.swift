import ArgumentParser
import Foundation
import SweepCoordinator

/// `coordinator simulate PLAN.tsv`: the sweep's makespan on N one-core workers of one host, with
/// and without elastic cores and pausing at the tail, from the real scheduler fed each trial's estimated seconds (the
/// `est_seconds` column of `coordinator plan`) and a thread-scaling curve.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a sweep's makespan with and without elastic cores and pausing from `coordinator plan` output.")

    @Argument(help: "`coordinator plan` output (TSV; its last column, est_seconds, is each trial's one-thread time).") var plan: String
    @Option(help: "Comma-separated core counts to simulate.") var cores: String = "2,8,32,64"
    @Option(help: "Measured speed on 2 threads relative to 1 (more threads: Amdahl's law through it).") var speedup2: Double
    @Option(help: "Seconds from a THREADS command to the batch boundary where it applies.") var applyDelay: Double = 0.5

    func run() throws {
        guard speedup2.isFinite, (1...2).contains(speedup2) else {
            throw exitReporting("--speedup2 must be a number in 1...2, got \(speedup2)")
        }
        guard applyDelay.isFinite, applyDelay >= 0 else { throw exitReporting("--apply-delay must be ≥ 0, got \(applyDelay)") }
        let counts = try cores.split(separator: ",").map { part -> Int in
            guard let n = Int(part.trimmingCharacters(in: .whitespaces)), (1...4096).contains(n) else {
                throw exitReporting("--cores: \(part.debugDescription) is not a core count in 1...4096")
            }
            return n
        }
        let text: String
        do { text = try String(contentsOfFile: plan, encoding: .utf8) } catch {
            throw exitReporting("\(plan): cannot read: \(error)")
        }
        var seconds: [Double] = []
        for (index, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            // Trial rows start with the trial number; the header and summary lines do not.
            guard fields.count >= 3, Int(fields[0]) != nil else { continue }
            guard let value = fields.last.flatMap({ Double($0) }), value.isFinite, value >= 0 else {
                throw exitReporting("\(plan): line \(index + 1): est_seconds \(String(fields.last ?? "").debugDescription) is not a number of seconds ≥ 0")
            }
            seconds.append(value)
        }
        guard !seconds.isEmpty else { throw exitReporting("\(plan): no trial rows (expected `coordinator plan` output)") }
        let speedup = CoreSimulation.amdahl(twoThreads: speedup2)
        let simulation = CoreSimulation(trialSeconds: seconds, applyDelay: applyDelay, speedup: speedup)
        print("\(seconds.count) trials, \(String(format: "%.0f", seconds.reduce(0, +))) s on one thread, longest \(String(format: "%.0f", seconds.max() ?? 0)) s; "
              + "2 threads \(String(format: "%.2f", speedup2))x (Amdahl: 4 → \(String(format: "%.2f", speedup(4)))x, 8 → \(String(format: "%.2f", speedup(8)))x)")
        print(["cores", "lower_bound_s", "fixed_s", "fixed/bound", "elastic_s", "elastic/bound", "elastic/fixed", "most_threads", "threads_cmds",
               "pausing_s", "pausing/bound", "pauses"].joined(separator: "\t"))
        for n in counts {
            let fixed = simulation.run(cores: n, elastic: false)
            let elastic = simulation.run(cores: n, elastic: true)
            let pausing = simulation.run(cores: n, elastic: true, pausing: true)
            let bound = max(fixed.lowerBound, (seconds.max() ?? 0) / speedup(n))
            print([String(n), String(format: "%.0f", bound), String(format: "%.0f", fixed.makespan),
                   String(format: "%.3f", fixed.makespan / bound), String(format: "%.0f", elastic.makespan),
                   String(format: "%.3f", elastic.makespan / bound), String(format: "%.3f", elastic.makespan / fixed.makespan),
                   String(elastic.mostThreads), String(elastic.commands), String(format: "%.0f", pausing.makespan),
                   String(format: "%.3f", pausing.makespan / bound), String(pausing.pauses)].joined(separator: "\t"))
        }
    }
}
