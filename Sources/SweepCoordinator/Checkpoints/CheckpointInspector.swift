import CharRNN
import Foundation
import SweepCore
import SystemSupport

/// Checks a checkpoint file before the coordinator keeps it or resumes a trial from it: it must
/// be a complete training state (format, metadata, every tensor with its shape and dtype, finite
/// values) of this very trial (model, training, split, seed) at the epoch it claims. A worker's bug
/// or a hostile peer could otherwise poison every later attempt of the trial.
///
/// The first checkpoint of each kind (model, training settings, split, dataset settings, vocabulary)
/// is checked the way a resuming worker loads it: a whole `TrainingSession` is built from it and every
/// tensor restored. That proves which tensors such a checkpoint holds (`CheckpointLayout`); later
/// checkpoints of the same kind are held against that layout instead of building a session each time,
/// which used to cost more than all of the coordinator's other work on a checkpoint together.
final class CheckpointInspector {
    /// The dataset text as workers read it (the checkpoint's vocabulary must fit it).
    let text: String
    /// Layouts proven by a full restore, by what determines them.
    private var layouts: [CheckpointLayout.Key: CheckpointLayout] = [:]
    /// Layouts kept at most (a sweep has one per distinct model shape and vocabulary).
    static let layoutLimit = 1024

    init(text: String) {
        self.text = text
    }

    struct Rejection: Error, CustomStringConvertible {
        let description: String
    }

    /// Full restores done so far (the rest were checked against a proven layout).
    private(set) var fullChecks = 0

    /// Decoded metadata the sweep's checkpoints repeat (model, training, split ...).
    private let memo = CheckpointMetadataMemo()

    /// Checks the checkpoint file at `path`.
    func check(path: String, trial: Trial, epoch: Int) throws {
        let bytes: [UInt8]
        do { bytes = try DurableFile.read(atPath: path) } catch { throw Rejection(description: "\(error)") }
        try check(bytes: bytes, source: path, trial: trial, epoch: epoch)
    }

    /// Checks checkpoint bytes before they are written anywhere; errors name `source`.
    func check(bytes: [UInt8], source: String, trial: Trial, epoch: Int) throws {
        let checkpoint: TrainingCheckpoint
        do { checkpoint = try TrainingCheckpoint(bytes: bytes, source: source, memo: memo) } catch {
            throw Rejection(description: "\(error)")
        }
        var model = trial.config.model
        model.vocabSize = checkpoint.model.vocabSize
        guard checkpoint.model == model else {
            throw Rejection(description: "its model config is not trial \(trial.id)'s")
        }
        // The sweep seed, the attempt budget and the thread count are not training state (the trial
        // seed is checked below, a rerun may change max_attempts, and threads do not change results);
        // older checkpoints do not record them.
        var training = trial.config.training
        training.seed = checkpoint.training.seed
        training.maxAttempts = checkpoint.training.maxAttempts
        training.threads = checkpoint.training.threads
        guard checkpoint.training == training, checkpoint.split == trial.config.split, checkpoint.seed == trial.seed else {
            throw Rejection(description: "its training settings, split or seed are not trial \(trial.id)'s")
        }
        guard checkpoint.state.epoch == epoch else {
            throw Rejection(description: "it holds epoch \(checkpoint.state.epoch), not \(epoch)")
        }
        let key = CheckpointLayout.Key(checkpoint)
        let layout: CheckpointLayout
        if let proven = layouts[key] {
            layout = proven
        } else {
            // Builds the model and restores every tensor, as a resuming worker will.
            do {
                let session = try TrainingSession(resuming: checkpoint, text: text)
                layout = CheckpointLayout(try session.checkpoint().file)
            } catch {
                throw Rejection(description: "\(error)")
            }
            fullChecks += 1
            if layouts.count >= Self.layoutLimit { layouts.removeAll() }
            layouts[key] = layout
        }
        if let problem = layout.problem(with: checkpoint.file) {
            throw Rejection(description: "checkpoint \(source): \(problem)")
        }
    }
}

/// The tensors a checkpoint of one kind holds: names, dtypes and shapes, as a real training
/// session writes them.
struct CheckpointLayout {
    struct Tensor: Equatable {
        let dtype: DType
        let shape: [Int]
    }

    /// What a checkpoint's tensors depend on: everything a session is built from but the trial's
    /// seed, the sweep seed, the attempt budget and the thread count (none changes a tensor's
    /// name, dtype or shape) and the training state.
    struct Key: Hashable {
        let model: ModelConfig
        let training: TrainingConfig
        let split: SplitSpec
        let preprocessing: Preprocessing
        let generation: GenerationConfig
        let vocabulary: [UInt32]

        init(_ checkpoint: TrainingCheckpoint) {
            var training = checkpoint.training
            training.seed = 0
            training.maxAttempts = 1
            training.threads = 1
            model = checkpoint.model
            self.training = training
            split = checkpoint.split
            preprocessing = checkpoint.preprocessing
            generation = checkpoint.generation
            vocabulary = checkpoint.vocabulary.symbols.map(\.value)
        }
    }

    let tensors: [String: Tensor]

    init(_ file: SafeTensorsFile) {
        tensors = Dictionary(file.tensors.map { ($0.name, Tensor(dtype: $0.dtype, shape: $0.shape)) },
                             uniquingKeysWith: { first, _ in first })
    }

    /// What is wrong with `file` against this layout (a tensor missing, extra, of another dtype or
    /// shape, or a float that is not finite), or nil.
    func problem(with file: SafeTensorsFile) -> String? {
        guard file.tensors.count == tensors.count else {
            let names = Set(file.tensors.map(\.name))
            if let missing = tensors.keys.sorted().first(where: { !names.contains($0) }) { return "tensor '\(missing)' is missing" }
            let extra = names.subtracting(tensors.keys).sorted().first ?? "?"
            return "tensor '\(extra)' is not part of this model's training state"
        }
        for entry in file.tensors {
            guard let expected = tensors[entry.name] else {
                return "tensor '\(entry.name)' is not part of this model's training state"
            }
            guard entry.dtype == expected.dtype, entry.shape == expected.shape else {
                return "tensor '\(entry.name)' is \(entry.dtype) \(entry.shape), expected \(expected.dtype) \(expected.shape)"
            }
            if let index = Self.firstNonFinite(entry) {
                return "tensor '\(entry.name)' holds a value that is not finite (element \(index))"
            }
        }
        return nil
    }

    /// The index of the first NaN or infinity of a float tensor, or nil (other dtypes have none).
    static func firstNonFinite(_ entry: TensorEntry) -> Int? {
        switch entry.dtype {
        case .F32: return entry.data.withUnsafeBytes { firstNonFinite($0, as: Float.self) }
        case .F64: return entry.data.withUnsafeBytes { firstNonFinite($0, as: Double.self) }
        case .I32, .I64, .U8, .U64:
            return nil
        }
    }

    private static func firstNonFinite<F: BinaryFloatingPoint>(_ raw: UnsafeRawBufferPointer, as _: F.Type) -> Int? {
        let size = MemoryLayout<F>.size
        for i in 0..<(raw.count / size) where !raw.loadUnaligned(fromByteOffset: i * size, as: F.self).isFinite { return i }
        return nil
    }
}
