/// The objectives' batchers behind one interface: batch i of a partition as [rows, steps]
/// batch-major inputs and targets ([rows] for last-step, [rows, steps] for the every-step kinds).
enum BatchSource {
    case lastStep(LastStepBatcher, batchSize: Int)
    case everyStep(EveryStepBatcher)
    /// Windows like last-step, targets at every step like every-step, no state carried.
    case windowEveryStep(LastStepBatcher, batchSize: Int)

    init(tokens: [Int32], training: TrainingConfig, split: SplitSpec, seed: UInt64) throws {
        switch training.objective {
        case .lastStep, .windowEveryStep:
            let batcher = try LastStepBatcher(tokens: tokens, sequenceLength: training.sequenceLength, stride: training.stride,
                                              split: split, seed: seed)
            // Full batch: every training window in one batch, one optimizer step per epoch.
            let size = training.fullBatch ? batcher.trainWindowCount : training.batchSize
            self = training.objective == .lastStep ? .lastStep(batcher, batchSize: size) : .windowEveryStep(batcher, batchSize: size)
        case .everyStep:
            self = .everyStep(try EveryStepBatcher(tokens: tokens, sequenceLength: training.sequenceLength,
                                                   batchSize: training.batchSize, split: split))
        }
    }

    /// Every-step carries the hidden state from one batch to the next.
    var carriesState: Bool { if case .everyStep = self { true } else { false } }

    /// The most rows a batch holds (what buffers and the model are sized for).
    var rowsPerBatch: Int {
        switch self {
        case let .lastStep(_, size), let .windowEveryStep(_, size): size
        case let .everyStep(b): b.batchSize
        }
    }

    /// Sets the epoch's training order (windows shuffle with (seed, epoch); every-step is ordered).
    mutating func beginEpoch(_ epoch: Int) {
        switch self {
        case .lastStep(var b, let size):
            b.beginEpoch(epoch)
            self = .lastStep(b, batchSize: size)
        case .windowEveryStep(var b, let size):
            b.beginEpoch(epoch)
            self = .windowEveryStep(b, batchSize: size)
        case .everyStep:
            break
        }
    }

    func batchCount(_ partition: Partition) -> Int {
        switch self {
        case let .lastStep(b, size), let .windowEveryStep(b, size): b.batchCount(batchSize: size, partition: partition)
        case let .everyStep(b): b.chunkCount(partition: partition)
        }
    }

    /// Fills batch `i`; returns its rows (sequences) and steps.
    func fill(_ i: Int, _ partition: Partition, inputs: UnsafeMutablePointer<Int32>,
              targets: UnsafeMutablePointer<Int32>) -> (rows: Int, steps: Int) {
        switch self {
        case let .lastStep(b, size):
            return (b.fill(batch: i, batchSize: size, partition: partition, inputs: inputs, targets: targets), b.sequenceLength)
        case let .windowEveryStep(b, size):
            return (b.fillEveryStep(batch: i, batchSize: size, partition: partition, inputs: inputs, targets: targets), b.sequenceLength)
        case let .everyStep(b):
            return (b.batchSize, b.fill(chunk: i, partition: partition, inputs: inputs, targets: targets))
        }
    }
}
