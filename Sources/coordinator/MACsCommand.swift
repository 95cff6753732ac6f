import ArgumentParser
import Foundation
import SweepCore

/// `coordinator macs SWEEP.json`: each trial's size and forward MACs in our convention and in the
/// conventions of the profilers the original reports used (see `ModelConfig.ptflopsRecurrentMACs`),
/// so a report's published MAC/FLOP column can be put beside ours.
struct MACsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "macs", abstract: "List a sweep's trials with parameters and MACs in our and the reports' profiler conventions.")

    @Argument(help: "The sweep file (JSON).") var file: String
    @Option(help: "Input positions (batch x steps) the ptflops column counts; default: each trial's sequence length.") var steps: Int?

    func run() async throws {
        let sweep: SweepFile
        do { sweep = try SweepFile(contentsOf: URL(fileURLWithPath: file), file: file) } catch {
            throw exitReporting(error.description, code: error.exitCode)
        }
        if let steps, steps < 1 { throw exitReporting("--steps: expected a positive integer, got \(steps)") }
        let text: String
        do {
            let dataset = try await DatasetResolver(allowDownload: false).resolve(for: sweep)
            text = try dataset.text(preprocess: sweep.dataset.preprocess)
        } catch {
            throw exitReporting("\(file): the dataset is needed for the vocabulary size: \(error)", code: 1)
        }
        // The vocabulary the trainer builds: the text's distinct characters, plus <unk> when asked for.
        let vocabulary = Set(text.unicodeScalars).count + (sweep.dataset.unkToken ? 1 : 0)
        let trials = sweep.trials(dataset: sweep.registryDataset() ?? DatasetSettings(name: "file", sha256: "", preprocess: sweep.dataset.preprocess,
                                                                                       unkToken: sweep.dataset.unkToken))
        let keys = sweep.grid.map(\.key)
        print((["trial", "id"] + keys + ["vocab_size", "parameters", "size_mb", "macs_per_char", "ptflops_steps",
                                         "ptflops_recurrent_macs", "ptflops_text", "calflops_linear_macs", "calflops_text"]).joined(separator: "\t"))
        for trial in trials {
            var model = trial.config.model
            model.vocabSize = vocabulary
            let length = trial.config.training.sequenceLength
            let positions = steps ?? length
            let ptflops = model.ptflopsRecurrentMACs(steps: positions)
            let calflops = model.calflopsLinearMACs(objective: trial.config.training.objective, sequenceLength: length)
            let row = [String(trial.number), trial.id] + trial.gridValues.map(\.text) + [
                String(vocabulary), String(model.parameterCount), String(model.sizeMB), String(model.macsPerChar), String(positions),
                String(ptflops), ProfilerUnits.format(ptflops) + "Mac", String(calflops), ProfilerUnits.format(calflops) + "MACs",
            ]
            print(row.joined(separator: "\t"))
        }
    }
}
