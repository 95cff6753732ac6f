/// Batches of windows, for the `last-step` and `window-every-step` objectives: the window at
/// position p has inputs tokens[p..<p+L] and target tokens[p+L] (last-step) or targets
/// tokens[p+1...p+L] (every step); windows start every `stride` tokens. Window starts are kept as `Int32`
/// positions into the corpus; filling a batch copies tokens into caller-owned buffers (no allocation).
public struct LastStepBatcher: Sendable {
    public let sequenceLength: Int
    public let stride: Int
    public let split: SplitSpec
    public let seed: UInt64
    /// The epoch whose shuffle is in effect; nil before the first `beginEpoch` (training windows
    /// are then in ascending order).
    public private(set) var epoch: Int?

    private let tokens: [Int32]
    /// Training window starts in ascending order: the base every epoch's shuffle starts from.
    private let trainStarts: [Int32]
    /// Validation window starts, ascending (never shuffled).
    private let validationStarts: [Int32]
    /// Training window starts in this epoch's order.
    private var trainOrder: [Int32]

    /// Throws if L or s is not positive, the split fraction is invalid, or a partition is too short
    /// for one window (the error names the sizes).
    public init(tokens: [Int32], sequenceLength: Int, stride: Int = 1, split: SplitSpec, seed: UInt64) throws {
        guard sequenceLength > 0 else {
            throw DataError.invalidParameter(field: "sequence_length", value: "\(sequenceLength)", expected: "an integer >= 1")
        }
        guard stride > 0 else {
            throw DataError.invalidParameter(field: "stride", value: "\(stride)", expected: "an integer >= 1")
        }
        guard tokens.count < Int(Int32.max) else { throw DataError.corpusTooLarge(tokens: tokens.count) }
        try split.validate()
        let L = sequenceLength
        let needed = L + 1
        let windowNote = "one window of sequence_length \(L) plus its target"

        switch split.kind {
        case .none:
            guard tokens.count >= needed else {
                throw DataError.splitTooShort(partition: .train, tokens: tokens.count, needed: needed, detail: windowNote)
            }
            trainStarts = Self.starts(in: 0..<tokens.count, length: L, stride: stride)
            validationStarts = trainStarts
        case .tail:
            let trainTokens = split.trainingCount(of: tokens.count)
            let valTokens = tokens.count - trainTokens
            guard trainTokens >= needed else {
                throw DataError.splitTooShort(partition: .train, tokens: trainTokens, needed: needed,
                                              detail: "\(windowNote); tail split of \(tokens.count) tokens at fraction \(split.fraction)")
            }
            guard valTokens >= needed else {
                throw DataError.splitTooShort(partition: .validation, tokens: valTokens, needed: needed,
                                              detail: "\(windowNote); tail split of \(tokens.count) tokens at fraction \(split.fraction)")
            }
            trainStarts = Self.starts(in: 0..<trainTokens, length: L, stride: stride)
            validationStarts = Self.starts(in: trainTokens..<tokens.count, length: L, stride: stride)
        case .windows:
            let all = Self.starts(in: 0..<tokens.count, length: L, stride: stride)
            let trainCount = split.trainWindows ?? 0, validationCount = split.validationWindows ?? 0
            guard trainCount >= 1, validationCount >= 1 else {
                throw DataError.invalidParameter(field: "split.train_windows/validation_windows", value: "\(trainCount)/\(validationCount)",
                                                 expected: "positive window counts for split 'windows'")
            }
            guard all.count >= trainCount + validationCount else {
                throw DataError.splitTooShort(partition: all.count >= trainCount ? .validation : .train, tokens: tokens.count,
                                              needed: (trainCount + validationCount - 1) * stride + needed,
                                              detail: "\(trainCount) + \(validationCount) windows of sequence_length \(L) at stride \(stride); the text has \(all.count)")
            }
            trainStarts = Array(all[..<trainCount])
            validationStarts = Array(all[trainCount..<(trainCount + validationCount)])
        case .random:
            guard tokens.count >= needed + stride else {
                throw DataError.splitTooShort(partition: .train, tokens: tokens.count, needed: needed + stride,
                                              detail: "two windows (one per side) of sequence_length \(L), stride \(stride)")
            }
            var all = Self.starts(in: 0..<tokens.count, length: L, stride: stride)
            var generator = SeededGenerator(seed: DerivedSeed.split(seed))
            Self.shuffle(&all, using: &generator)
            let trainCount = split.trainingCount(of: all.count)
            guard trainCount >= 1, trainCount < all.count else {
                let partition: Partition = trainCount < 1 ? .train : .validation
                throw DataError.splitTooShort(partition: partition, tokens: tokens.count, needed: needed,
                                              detail: "random split of \(all.count) windows at fraction \(split.fraction) leaves \(partition.rawValue) without a window")
            }
            trainStarts = all[..<trainCount].sorted()
            validationStarts = all[trainCount...].sorted()
        }
        self.tokens = tokens
        self.sequenceLength = L
        self.stride = stride
        self.split = split
        self.seed = seed
        self.trainOrder = trainStarts
    }

    /// Starts p of every window inside `range` (p + L < range.upperBound), every `stride` tokens.
    private static func starts(in range: Range<Int>, length: Int, stride: Int) -> [Int32] {
        let span = range.count - length // number of positions p with p + L inside the range
        guard span > 0 else { return [] }
        let count = (span - 1) / stride + 1
        return (0..<count).map { Int32(range.lowerBound + $0 * stride) }
    }

    public var trainWindowCount: Int { trainStarts.count }
    public var validationWindowCount: Int { validationStarts.count }

    public func windowCount(partition: Partition) -> Int {
        partition == .train ? trainStarts.count : validationStarts.count
    }

    /// Batches per pass over a partition; the last partial batch is kept.
    public func batchCount(batchSize: Int, partition: Partition) -> Int {
        guard batchSize > 0 else { return 0 }
        return (windowCount(partition: partition) + batchSize - 1) / batchSize
    }

    /// Shuffles the training order for `epoch`, from the base order and a generator seeded by
    /// (seed, epoch) alone, so it does not depend on earlier epochs and a resumed run reproduces it.
    public mutating func beginEpoch(_ epoch: Int) {
        if trainOrder.count != trainStarts.count { trainOrder = trainStarts }
        trainOrder.withUnsafeMutableBufferPointer { order in
            trainStarts.withUnsafeBufferPointer { base in
                _ = order.update(fromContentsOf: base)
            }
        }
        var generator = SeededGenerator(seed: DerivedSeed.epoch(seed, epoch))
        Self.shuffle(&trainOrder, using: &generator)
        self.epoch = epoch
    }

    /// Exactly `SeededGenerator.shuffle`'s Fisher–Yates (same draws, same result), on a buffer:
    /// the generic original is not specialised across files in non-WMO (debug) builds and then
    /// costs ~150 ns per element instead of ~5.
    static func shuffle(_ array: inout [Int32], using generator: inout SeededGenerator) {
        array.withUnsafeMutableBufferPointer { a in
            var i = a.count - 1
            while i > 0 {
                let j = generator.nextInt(below: i + 1)
                a.swapAt(i, j)
                i -= 1
            }
        }
    }

    /// Start position of the `index`-th window of a partition in its current order.
    public func windowStart(_ index: Int, partition: Partition) -> Int {
        Int(partition == .train ? trainOrder[index] : validationStarts[index])
    }

    /// All window starts of a partition in its current order (inspection and tests).
    public func windowStarts(partition: Partition) -> [Int32] {
        partition == .train ? trainOrder : validationStarts
    }

    /// As `fill(batch:…)`, with targets at every step: [rows x L] row-major, row r = the window's
    /// inputs shifted by one token.
    public func fillEveryStep(batch: Int, batchSize: Int, partition: Partition,
                              inputs: UnsafeMutablePointer<Int32>, targets: UnsafeMutablePointer<Int32>) -> Int {
        fill(batch: batch, batchSize: batchSize, partition: partition, inputs: inputs, targets: targets, everyStep: true)
    }

    /// Writes batch `batch` of a partition: inputs as [rows x L] row-major, targets as [rows].
    /// Returns the row count (batchSize, fewer for the last batch, 0 past the end). Buffers must hold
    /// batchSize x L and batchSize values.
    public func fill(batch: Int, batchSize: Int, partition: Partition,
                     inputs: UnsafeMutablePointer<Int32>, targets: UnsafeMutablePointer<Int32>) -> Int {
        fill(batch: batch, batchSize: batchSize, partition: partition, inputs: inputs, targets: targets, everyStep: false)
    }

    /// The windows of one batch; targets are each window's next token, or (`everyStep`) the window
    /// shifted by one.
    private func fill(batch: Int, batchSize: Int, partition: Partition, inputs: UnsafeMutablePointer<Int32>,
                      targets: UnsafeMutablePointer<Int32>, everyStep: Bool) -> Int {
        let order = partition == .train ? trainOrder : validationStarts
        guard batch >= 0, batchSize > 0 else { return 0 }
        let first = batch * batchSize
        let rows = max(0, min(batchSize, order.count - first))
        guard rows > 0 else { return 0 }
        let L = sequenceLength
        return tokens.withUnsafeBufferPointer { tok in
            order.withUnsafeBufferPointer { starts in
                // Only an empty token array has no address, and it holds no window to write.
                guard let base = tok.baseAddress else { return 0 }
                for r in 0..<rows {
                    let p = Int(starts[first + r])
                    (inputs + r * L).update(from: base + p, count: L)
                    if everyStep {
                        (targets + r * L).update(from: base + p + 1, count: L)
                    } else {
                        targets[r] = base[p + L]
                    }
                }
                return rows
            }
        }
    }
}
