/// The two objectives' batchers behind one interface: batch i of a partition as [rows, steps]
/// batch-major inputs and targets ([rows] for last-step, [rows, steps] for every-step).
enum BatchSource {
    case lastStep(LastStepBatcher, batchSize: Int)
    case everyStep(EveryStepBatcher)

    init(tokens: [Int32], training: TrainingConfig, split: SplitSpec, seed: UInt64) throws {
        switch training.objective {
        case .lastStep:
            self = .lastStep(try LastStepBatcher(tokens: tokens, sequenceLength: training.sequenceLength, stride: training.stride,
                                                 split: split, seed: seed), batchSize: training.batchSize)
        case .everyStep:
            self = .everyStep(try EveryStepBatcher(tokens: tokens, sequenceLength: training.sequenceLength,
                                                   batchSize: training.batchSize, split: split))
        }
    }

    /// Every-step carries the hidden state from one batch to the next.
    var carriesState: Bool { if case .everyStep = self { true } else { false } }

    /// Sets the epoch's training order (last-step shuffles with (seed, epoch); every-step is ordered).
    mutating func beginEpoch(_ epoch: Int) {
        if case .lastStep(var b, let size) = self {
            b.beginEpoch(epoch)
            self = .lastStep(b, batchSize: size)
        }
    }

    func batchCount(_ partition: Partition) -> Int {
        switch self {
        case let .lastStep(b, size): b.batchCount(batchSize: size, partition: partition)
        case let .everyStep(b): b.chunkCount(partition: partition)
        }
    }

    /// Fills batch `i`; returns its rows (sequences) and steps.
    func fill(_ i: Int, _ partition: Partition, inputs: UnsafeMutablePointer<Int32>,
              targets: UnsafeMutablePointer<Int32>) -> (rows: Int, steps: Int) {
        switch self {
        case let .lastStep(b, size):
            return (b.fill(batch: i, batchSize: size, partition: partition, inputs: inputs, targets: targets), b.sequenceLength)
        case let .everyStep(b):
            return (b.batchSize, b.fill(chunk: i, partition: partition, inputs: inputs, targets: targets))
        }
    }
}
