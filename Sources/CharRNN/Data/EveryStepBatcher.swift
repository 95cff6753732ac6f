/// Batches for the `every-step` objective (char-rnn's): a partition's n tokens give n-1
/// (input, next token) pairs, cut into `batchSize` parallel streams of T = (n-1)/B steps each (the
/// remainder at the end is dropped). Stream b reads tokens[base + b*T + t] and predicts
/// tokens[base + b*T + t + 1]. An epoch walks the streams in chunks of L steps, in order, and the
/// trainer carries each stream's hidden state from one chunk to the next (truncated BPTT); the last
/// chunk may be shorter than L. Nothing is shuffled: shuffling would break the carried state.
///
/// Split `random` is rejected: streams need contiguous text, and gluing randomly chosen blocks back
/// together would train on transitions that never occur in the text.
public struct EveryStepBatcher: Sendable {
    public let sequenceLength: Int
    public let batchSize: Int
    public let split: SplitSpec

    private struct Streams: Sendable {
        /// First token of the partition in the corpus.
        var base: Int
        /// Steps per stream (T).
        var length: Int
    }

    private let tokens: [Int32]
    private let train: Streams
    private let validation: Streams

    public init(tokens: [Int32], sequenceLength: Int, batchSize: Int, split: SplitSpec) throws {
        guard sequenceLength > 0 else {
            throw DataError.invalidParameter(field: "sequence_length", value: "\(sequenceLength)", expected: "an integer >= 1")
        }
        guard batchSize > 0 else {
            throw DataError.invalidParameter(field: "batch_size", value: "\(batchSize)", expected: "an integer >= 1")
        }
        try split.validate()
        let trainRange: Range<Int>, validationRange: Range<Int>
        switch split.kind {
        case .none:
            trainRange = 0..<tokens.count
            validationRange = trainRange
        case .tail:
            let cut = split.trainingCount(of: tokens.count)
            trainRange = 0..<cut
            validationRange = cut..<tokens.count
        case .random, .windows:
            throw DataError.unsupportedSplit(
                kind: split.kind, objective: "every-step",
                reason: "its parallel streams need contiguous text; use split 'tail' or 'none'")
        }
        func streams(_ range: Range<Int>, _ partition: Partition) throws -> Streams {
            let steps = (range.count - 1) / batchSize
            guard range.count >= 2, steps >= 1 else {
                throw DataError.splitTooShort(
                    partition: partition, tokens: range.count, needed: batchSize + 1,
                    detail: "\(batchSize) streams (batch_size) of at least one step each; lower batch_size")
            }
            return Streams(base: range.lowerBound, length: steps)
        }
        self.train = try streams(trainRange, .train)
        self.validation = try streams(validationRange, .validation)
        self.tokens = tokens
        self.sequenceLength = sequenceLength
        self.batchSize = batchSize
        self.split = split
    }

    private func streams(_ partition: Partition) -> Streams { partition == .train ? train : validation }

    /// Steps per stream (T) of a partition.
    public func streamLength(partition: Partition) -> Int { streams(partition).length }

    /// First corpus position of a partition (stream b starts at `partitionStart + b * T`).
    public func partitionStart(partition: Partition) -> Int { streams(partition).base }

    /// Targets per epoch of a partition: B x T.
    public func targetCount(partition: Partition) -> Int { batchSize * streams(partition).length }

    /// Chunks per epoch: ceil(T / L).
    public func chunkCount(partition: Partition) -> Int {
        (streams(partition).length + sequenceLength - 1) / sequenceLength
    }

    /// Steps in chunk `chunk` (L, less for the last chunk, 0 past the end).
    public func steps(inChunk chunk: Int, partition: Partition) -> Int {
        guard chunk >= 0 else { return 0 }
        return max(0, min(sequenceLength, streams(partition).length - chunk * sequenceLength))
    }

    /// Writes chunk `chunk`: inputs and targets as [B x steps] row-major (row b = stream b, packed:
    /// row stride = steps). Returns steps (0 past the end). Buffers must hold B x L values.
    public func fill(chunk: Int, partition: Partition,
                     inputs: UnsafeMutablePointer<Int32>, targets: UnsafeMutablePointer<Int32>) -> Int {
        fill(chunk: chunk, partition: partition, inputs: inputs, targets: targets,
             rowStride: steps(inChunk: chunk, partition: partition))
    }

    /// As `fill(chunk:partition:inputs:targets:)` with an explicit row stride (e.g. L, to keep a
    /// fixed [B x L] layout whose columns past `steps` are left untouched).
    public func fill(chunk: Int, partition: Partition,
                     inputs: UnsafeMutablePointer<Int32>, targets: UnsafeMutablePointer<Int32>,
                     rowStride: Int) -> Int {
        let steps = steps(inChunk: chunk, partition: partition)
        guard steps > 0, rowStride >= steps else { return 0 }
        let s = streams(partition)
        let offset = chunk * sequenceLength
        return tokens.withUnsafeBufferPointer { tok in
            // Only an empty token array has no address, and it holds no chunk to write.
            guard let base = tok.baseAddress else { return 0 }
            for b in 0..<batchSize {
                let p = s.base + b * s.length + offset
                (inputs + b * rowStride).update(from: base + p, count: steps)
                (targets + b * rowStride).update(from: base + p + 1, count: steps)
            }
            return steps
        }
    }
}
