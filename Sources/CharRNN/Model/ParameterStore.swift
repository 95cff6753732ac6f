/// A named tensor inside one of the store's contiguous arrays.
public struct TensorSlot: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
}

/// All trainable parameters, their gradients and the BatchNorm buffers, each in one contiguous Float
/// array (so the optimizer, clipping and checkpointing are single loops), with named views in
/// PyTorch `state_dict` order.
public final class ParameterStore {
    /// Trainable tensors, in `named_parameters()` order.
    public let parameters: [TensorSlot]
    /// Float buffers (`fc.K.running_mean`, `fc.K.running_var`).
    public let buffers: [TensorSlot]
    /// Names of the `fc.K.num_batches_tracked` counters, parallel to `batchesTracked`.
    public let counterNames: [String]
    public var batchesTracked: [Int64]

    public let count: Int
    public let values: UnsafeMutablePointer<Float>
    public let gradients: UnsafeMutablePointer<Float>
    public let bufferCount: Int
    public let bufferValues: UnsafeMutablePointer<Float>

    private let parameterIndex: [String: Int]
    private let bufferIndex: [String: Int]

    init(parameters: [(String, [Int])], buffers: [(String, [Int])], counters: [String]) {
        var offset = 0
        var slots: [TensorSlot] = []
        for (name, shape) in parameters {
            slots.append(TensorSlot(name: name, shape: shape, offset: offset))
            offset += shape.reduce(1, *)
        }
        self.parameters = slots
        count = offset
        offset = 0
        var bslots: [TensorSlot] = []
        for (name, shape) in buffers {
            bslots.append(TensorSlot(name: name, shape: shape, offset: offset))
            offset += shape.reduce(1, *)
        }
        self.buffers = bslots
        bufferCount = offset
        counterNames = counters
        batchesTracked = Array(repeating: 0, count: counters.count)
        values = .allocate(capacity: max(count, 1))
        values.initialize(repeating: 0, count: max(count, 1))
        gradients = .allocate(capacity: max(count, 1))
        gradients.initialize(repeating: 0, count: max(count, 1))
        bufferValues = .allocate(capacity: max(bufferCount, 1))
        bufferValues.initialize(repeating: 0, count: max(bufferCount, 1))
        parameterIndex = Dictionary(uniqueKeysWithValues: slots.enumerated().map { ($1.name, $0) })
        bufferIndex = Dictionary(uniqueKeysWithValues: bslots.enumerated().map { ($1.name, $0) })
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
        bufferValues.deallocate()
    }

    public func parameter(_ name: String) -> TensorSlot? { parameterIndex[name].map { parameters[$0] } }
    public func buffer(_ name: String) -> TensorSlot? { bufferIndex[name].map { buffers[$0] } }

    /// Values of parameter `name`. Traps on an unknown name (names come from the layout).
    public func value(_ name: String) -> UnsafeMutableBufferPointer<Float> {
        let s = parameterSlot(name)
        return UnsafeMutableBufferPointer(start: values + s.offset, count: s.count)
    }

    public func gradient(_ name: String) -> UnsafeMutableBufferPointer<Float> {
        let s = parameterSlot(name)
        return UnsafeMutableBufferPointer(start: gradients + s.offset, count: s.count)
    }

    public func bufferValue(_ name: String) -> UnsafeMutableBufferPointer<Float> {
        let s = bufferSlot(name)
        return UnsafeMutableBufferPointer(start: bufferValues + s.offset, count: s.count)
    }

    // First elements of a tensor, for layers that keep them for their lifetime: a pointer into the
    // store's arrays, never nil (unlike a buffer's `baseAddress`), even for an empty tensor, whose
    // pointer is then never read. Each traps on an unknown name, as `value(_:)` does.

    func valueStart(_ name: String) -> UnsafeMutablePointer<Float> { values + parameterSlot(name).offset }
    func gradientStart(_ name: String) -> UnsafeMutablePointer<Float> { gradients + parameterSlot(name).offset }
    func bufferStart(_ name: String) -> UnsafeMutablePointer<Float> { bufferValues + bufferSlot(name).offset }

    /// Position of counter `name` in `batchesTracked`. Traps on an unknown name, as `value(_:)` does.
    func counterIndex(_ name: String) -> Int {
        guard let index = counterNames.firstIndex(of: name) else { preconditionFailure("no counter \(name) in the model's layout") }
        return index
    }

    /// Callers name tensors of the layout the store was built from; another name is a bug in the caller.
    private func parameterSlot(_ name: String) -> TensorSlot {
        guard let index = parameterIndex[name] else { preconditionFailure("no parameter \(name) in the model's layout") }
        return parameters[index]
    }

    private func bufferSlot(_ name: String) -> TensorSlot {
        guard let index = bufferIndex[name] else { preconditionFailure("no buffer \(name) in the model's layout") }
        return buffers[index]
    }

    /// Split over the calling thread's pool: a step zeroes every gradient, megabytes at H 512.
    public func zeroGradients() {
        let gradients = gradients
        ThreadPool.forEachElementBlock(of: count) { block in
            (gradients + block.lowerBound).update(repeating: 0, count: block.count)
        }
    }

    /// Every tensor in `state_dict()` order (parameters and buffers of each module interleaved),
    /// as PyTorch would list them. Counters are listed with shape [] and kind `.counter`.
    public var stateDictOrder: [(name: String, kind: StateKind)] {
        var out: [(String, StateKind)] = []
        var bufferNames = buffers.map(\.name)[...]
        var counters = counterNames[...]
        for p in parameters {
            out.append((p.name, .parameter))
            // A BatchNorm's buffers follow its bias.
            if p.name.hasSuffix(".bias"), let prefix = p.name.dropLastComponent,
               bufferNames.first == prefix + ".running_mean" {
                out.append((bufferNames.removeFirst(), .buffer))
                out.append((bufferNames.removeFirst(), .buffer))
                if counters.first == prefix + ".num_batches_tracked" { out.append((counters.removeFirst(), .counter)) }
            }
        }
        return out
    }

    public enum StateKind: Sendable { case parameter, buffer, counter }
}

extension String {
    fileprivate var dropLastComponent: String? {
        guard let dot = lastIndex(of: ".") else { return nil }
        return String(self[..<dot])
    }
}

extension ModelConfig {
    /// Names and shapes of the trainable tensors, exactly as `named_parameters()` lists them.
    public var parameterShapes: [(String, [Int])] {
        var list: [(String, [Int])] = []
        if let embeddingSize { list.append(("embedding.weight", [vocabSize, embeddingSize])) }
        let g = gateCount * hiddenSize
        for k in 0..<layers {
            let inSize = k == 0 ? recurrentInputSize : hiddenSize
            list.append(("rnn.weight_ih_l\(k)", [g, inSize]))
            list.append(("rnn.weight_hh_l\(k)", [g, hiddenSize]))
            list.append(("rnn.bias_ih_l\(k)", [g]))
            list.append(("rnn.bias_hh_l\(k)", [g]))
        }
        for (i, m) in headModules.enumerated() {
            switch m {
            case let .linear(inputs, outputs):
                list.append(("\(headModuleName(i)).weight", [outputs, inputs]))
                list.append(("\(headModuleName(i)).bias", [outputs]))
            case let .batchNorm(width):
                list.append(("\(headModuleName(i)).weight", [width]))
                list.append(("\(headModuleName(i)).bias", [width]))
            case .activation, .dropout: break
            }
        }
        return list
    }

    var bufferShapes: [(String, [Int])] {
        headModules.enumerated().flatMap { i, m -> [(String, [Int])] in
            if case let .batchNorm(width) = m { return [("\(headModuleName(i)).running_mean", [width]), ("\(headModuleName(i)).running_var", [width])] }
            return []
        }
    }

    var counterNames: [String] {
        headModules.enumerated().compactMap { i, m in
            if case .batchNorm = m { return "\(headModuleName(i)).num_batches_tracked" }
            return nil
        }
    }
}
