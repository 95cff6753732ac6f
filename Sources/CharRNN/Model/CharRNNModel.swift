/// The whole network — input (Embedding or one-hot) → `rnn` stack → `fc` head → softmax
/// cross-entropy — with every buffer allocated at build time for `maxBatch` sequences of
/// `maxSteps` steps. Not thread-safe: one model per training thread.
///
/// Data layout: tokens and targets arrive batch-major ([B, L], as a DataLoader yields them);
/// activations are time-major. Every-step logits rows are therefore in (time, batch) order:
/// row t·B + b is sequence b at step t (use `logitRow(sequence:step:)`).
public final class CharRNNModel {
    public let config: ModelConfig
    public let store: ParameterStore
    public let maxBatch: Int
    public let maxSteps: Int

    private let workspace = Workspace()
    private let embedding: Embedding?
    private let oneHot: OneHotInput?
    private let tokenProjection: TokenInputProjection
    /// Forwards of at least this many rows look layer 0's input projections up in a V-row table;
    /// smaller ones (generation) gather dense input rows and multiply, which is cheaper there.
    let tokenLookupMinimumRows: Int
    let stack: RecurrentStack
    private let head: Head
    private let criterion: SoftmaxCrossEntropy
    private let timeMajorTargets: UnsafeMutablePointer<Int32>
    private let headRows: Int

    private var lastObjective: Objective = .lastStep
    private var lastBatch = 0
    private var lastSteps = 0
    private var lastLogits: UnsafeMutablePointer<Float>?

    /// `objective` .lastStep sizes the head for `maxBatch` rows only (nil or .everyStep: batch × steps);
    /// a model built for last-step can then run every-step forwards only up to `maxBatch` rows.
    public convenience init(config: ModelConfig, maxBatch: Int, maxSteps: Int, objective: Objective? = nil) throws {
        try self.init(config: config, maxBatch: maxBatch, maxSteps: maxSteps, objective: objective,
                      tokenLookupMinimumRows: config.vocabSize)
    }

    /// `tokenLookupMinimumRows` chooses the input path (tests force either one: 1 or Int.max).
    init(config: ModelConfig, maxBatch: Int, maxSteps: Int, objective: Objective?, tokenLookupMinimumRows: Int) throws {
        try config.validate()
        guard maxBatch >= 1 else { throw ModelConfigError(field: "batch_size", value: "\(maxBatch)", reason: "must be >= 1") }
        guard maxSteps >= 1 else { throw ModelConfigError(field: "sequence_length", value: "\(maxSteps)", reason: "must be >= 1") }
        self.config = config
        self.maxBatch = maxBatch
        self.maxSteps = maxSteps
        store = ParameterStore(parameters: config.parameterShapes, buffers: config.bufferShapes, counters: config.counterNames)
        let rows = maxBatch * maxSteps
        self.tokenLookupMinimumRows = max(1, tokenLookupMinimumRows)
        let denseRows = min(rows, self.tokenLookupMinimumRows - 1)
        if let width = config.embeddingSize {
            embedding = Embedding(store: store, vocabSize: config.vocabSize, width: width, maxRows: denseRows, workspace: workspace)
            oneHot = nil
        } else {
            embedding = nil
            oneHot = OneHotInput(vocabSize: config.vocabSize, maxRows: denseRows, workspace: workspace)
        }
        tokenProjection = TokenInputProjection(config: config, store: store, maxBatch: maxBatch, maxRows: rows, workspace: workspace)
        stack = RecurrentStack(config: config, store: store, maxBatch: maxBatch, maxSteps: maxSteps, maxDenseInputRows: denseRows,
                               inputNeedsGradient: config.input == .embedding, workspace: workspace)
        headRows = objective == .lastStep ? maxBatch : rows
        head = Head(config: config, store: store, maxRows: headRows, workspace: workspace)
        criterion = SoftmaxCrossEntropy(classes: config.vocabSize, maxRows: headRows, workspace: workspace)
        timeMajorTargets = workspace.ints(rows)
        var rng = SeededGenerator(seed: 0)
        store.initialize(config: config, rng: &rng)
    }

    /// Scratch floats allocated for activations and gradients (excluding parameters).
    public var workspaceFloats: Int { workspace.floats }

    /// PyTorch-style initialisation from `rng` (consumes it in `named_parameters()` order).
    public func initializeParameters(rng: inout SeededGenerator) {
        store.initialize(config: config, rng: &rng)
    }

    /// Zero hidden (and cell) state for `batch` sequences.
    public func resetState(batch: Int) { stack.resetState(batch: batch) }

    /// The final state of the last forward becomes the initial state of the next (detached).
    public func carryState() { stack.carryState() }

    /// Runs the network on `tokens` ([batch, steps], batch-major) from the current initial state.
    /// Returns the logits: [batch, V] for last-step, [steps·batch, V] time-major for every-step.
    @discardableResult
    public func forward(tokens: UnsafePointer<Int32>, batch: Int, steps: Int, objective: Objective,
                        training: Bool, rng: inout SeededGenerator) -> UnsafeMutablePointer<Float> {
        precondition(batch >= 1 && batch <= maxBatch && steps >= 1 && steps <= maxSteps,
                     "batch \(batch) x steps \(steps) exceeds the model's \(maxBatch) x \(maxSteps) workspace")
        precondition(objective == .lastStep || batch * steps <= headRows,
                     "every-step forward of \(batch * steps) rows on a head sized for \(headRows)")
        lastObjective = objective
        lastBatch = batch
        lastSteps = steps
        let input: LayerInput
        if batch * steps >= tokenLookupMinimumRows {
            tokenProjection.setTokens(tokens, batch: batch, steps: steps)
            input = .tokens(tokenProjection)
        } else if let embedding {
            embedding.forward(tokens: tokens, batch: batch, steps: steps)
            input = .dense(UnsafePointer(embedding.output))
        } else if let oneHot {
            oneHot.forward(tokens: tokens, batch: batch, steps: steps)
            input = .dense(UnsafePointer(oneHot.output))
        } else {
            preconditionFailure("a model has an embedding or a one-hot input")
        }
        stack.forward(input: input, batch: batch, steps: steps, training: training, rng: &rng)
        let top = stack.top
        let h = config.hiddenSize
        let logits: UnsafeMutablePointer<Float>
        switch objective {
        case .lastStep:
            logits = head.forward(top.outputs + (steps - 1) * batch * h, rows: batch, training: training, rng: &rng)
        case .everyStep, .windowEveryStep:
            logits = head.forward(top.outputs, rows: batch * steps, training: training, rng: &rng)
        }
        lastLogits = logits
        return logits
    }

    /// Rows of logits produced by the last forward.
    public var logitRows: Int { lastObjective == .lastStep ? lastBatch : lastBatch * lastSteps }

    /// Index of the logits row for `sequence` at `step` in the last forward's output.
    public func logitRow(sequence b: Int, step t: Int) -> Int {
        lastObjective == .lastStep ? b : t * lastBatch + b
    }

    /// Mean cross-entropy of the last forward against `targets` ([batch] for last-step, [batch, steps]
    /// batch-major for every-step); with `computeGradient`, prepares `backward()`.
    public func loss(targets: UnsafePointer<Int32>, computeGradient: Bool) -> LossStatistics {
        // Before the first forward there are no logits and no rows to score.
        guard let lastLogits else { return LossStatistics() }
        let rows = logitRows
        let t: UnsafePointer<Int32>
        if lastObjective.lossAtEveryStep {
            for s in 0..<lastSteps {
                for b in 0..<lastBatch { timeMajorTargets[s * lastBatch + b] = targets[b * lastSteps + s] }
            }
            t = UnsafePointer(timeMajorTargets)
        } else {
            t = targets
        }
        let r = criterion.forward(logits: lastLogits, targets: t, rows: rows, computeGradient: computeGradient)
        return LossStatistics(lossSum: r.lossSum, correct: r.correct, count: r.rows)
    }

    /// Accumulates dL/dθ of the last loss into `store.gradients` (call `store.zeroGradients()` first).
    public func backward() {
        let rows = logitRows
        let dTop = head.backward(criterion.gradient, rows: rows)
        let dInput = stack.backward(topGradient: dTop, lastStepOnly: lastObjective == .lastStep)
        if let embedding, let dInput { embedding.backward(dInput) }
    }
}

/// Loss over some rows: the sum (exact for averaging over many batches), correct predictions, rows.
public struct LossStatistics: Sendable, Equatable {
    public var lossSum: Double
    public var correct: Int
    public var count: Int
    public init(lossSum: Double = 0, correct: Int = 0, count: Int = 0) {
        self.lossSum = lossSum
        self.correct = correct
        self.count = count
    }
    public var meanLoss: Double { count > 0 ? lossSum / Double(count) : .nan }
    public var accuracy: Double { count > 0 ? Double(correct) / Double(count) : .nan }
    public static func += (a: inout LossStatistics, b: LossStatistics) {
        a.lossSum += b.lossSum
        a.correct += b.correct
        a.count += b.count
    }
}
