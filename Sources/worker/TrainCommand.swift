import ArgumentParser
import Foundation
import SweepCore
import SweepWorker

/// `worker train TRIAL.json`: one trial, no coordinator. Prints per-epoch metrics and the final
/// result JSON, and keeps the last checkpoint.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train one trial config file without a coordinator.")

    @Argument(help: "A trial file: a trial config (JSON), or a trial object with number, id, seed and config.") var trial: String
    @Option(help: "Where checkpoints go (default: ./trial-<id>).") var output: String?
    @Option(help: "Resume from this checkpoint.") var resume: String?
    @Option(help: "Seed (default: derived from the config, as a sweep would).") var seed: UInt64?
    @Option(help: "Threads to train with (default: the config's training.threads, else 1). Results are the same at every count.")
    var threads: Int?

    func validate() throws {
        if let threads, !(1...256).contains(threads) { throw WorkerUsage.fail("--threads must be in 1...256, got \(threads)") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: trial)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            FileHandle.standardError.write(Data("worker: cannot read \(trial): \(error.localizedDescription)\n".utf8))
            throw ExitCode(2)
        }
        let config: TrialConfig
        var trialSeed: UInt64
        if let full = try? JSONDecoder().decode(Trial.self, from: data) {
            config = full.config
            trialSeed = full.seed
        } else {
            do { config = try JSONDecoder().decode(TrialConfig.self, from: data) } catch {
                FileHandle.standardError.write(Data("worker: \(trial): not a trial config: \(Self.describe(error))\n".utf8))
                throw ExitCode(2)
            }
            trialSeed = TrialConfig.trialSeed(sweepSeed: config.training.seed, trialID: config.trialID)
        }
        if let seed { trialSeed = seed }
        let resolver = DatasetResolver(allowDownload: false)
        guard let dataset = resolver.localCopy(sha256: config.dataset.sha256) else {
            FileHandle.standardError.write(Data("""
                worker: dataset \(config.dataset.name) (sha256 \(config.dataset.sha256)) is not on this machine; \
                put it in RNNSWEEP_DATA_DIR or \(resolver.cache.directory.path)\n
                """.utf8))
            throw ExitCode(2)
        }
        let folder = URL(fileURLWithPath: output ?? "trial-\(config.trialID)")
        let job = TrialJob(trialID: config.trialID, trialNumber: 1, attempt: 1, seed: trialSeed, config: config,
                           datasetFile: dataset.path, resumeFrom: resume.map { URL(fileURLWithPath: $0) }, scratch: folder,
                           keepsCheckpointFiles: true)
        let printer = PrintingEvents()
        switch CharRNNTrialTrainer(threads: threads).run(job, events: printer) {
        case .completed(let result):
            print(Self.json(result))
        case .diverged(let message, let result):
            print("diverged: \(message)")
            if let result { print(Self.json(result)) }
            throw ExitCode(3)
        case .configError(let message):
            FileHandle.standardError.write(Data("worker: \(trial): \(message)\n".utf8))
            throw ExitCode(2)
        case .infra(let message, _):
            FileHandle.standardError.write(Data("worker: \(message)\n".utf8))
            throw ExitCode(1)
        case .cancelled:
            throw ExitCode(130)
        }
    }

    /// The result object as RESULT carries it (sorted keys; non-finite numbers as strings).
    static func json(_ result: ResultMetrics) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return (try? encoder.encode(result)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field \((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
             DecodingError.dataCorrupted(let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}

/// Prints one line per epoch and checkpoint (kept in `<output>/checkpoints`; resume with `--resume`).
final class PrintingEvents: TrialEvents, @unchecked Sendable {
    func epochEnded(_ r: EpochMetrics) {
        print(String(format: "epoch %d: train_loss %.4f val_loss %.4f val_accuracy %.4f val_perplexity %.3f %.1f s %.0f tokens/s",
                     r.epoch, r.trainLoss, r.valLoss, r.valAccuracy, r.valPerplexity, r.seconds, r.tokensPerSecond))
    }
    func checkpointWritten(path: String, epoch: Int) { print("checkpoint: \(path)") }
    var isCancelled: Bool { false }
}
