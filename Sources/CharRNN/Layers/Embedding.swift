/// nn.Embedding(V, E): looks up rows of `embedding.weight`. Tokens arrive batch-major [B, L];
/// the output is time-major [L·B, E] as the recurrent layers consume it.
final class Embedding {
    let vocabSize: Int, width: Int
    let output: UnsafeMutablePointer<Float>
    private let w: UnsafeMutablePointer<Float>, gw: UnsafeMutablePointer<Float>
    private let tokens: UnsafeMutablePointer<Int32>
    private var rows = 0

    init(store: ParameterStore, vocabSize: Int, width: Int, maxRows: Int, workspace: Workspace) {
        self.vocabSize = vocabSize
        self.width = width
        w = store.valueStart("embedding.weight")
        gw = store.gradientStart("embedding.weight")
        output = workspace.floats(maxRows * width)
        tokens = workspace.ints(maxRows)
    }

    func forward(tokens batchMajor: UnsafePointer<Int32>, batch: Int, steps: Int) {
        rows = batch * steps
        for t in 0..<steps {
            for b in 0..<batch {
                let token = batchMajor[b * steps + t]
                precondition(token >= 0 && Int(token) < vocabSize, "token \(token) outside the vocabulary")
                tokens[t * batch + b] = token
                (output + (t * batch + b) * width).update(from: w + Int(token) * width, count: width)
            }
        }
    }

    /// Scatter-adds dL/d(output) into the rows of the looked-up tokens.
    func backward(_ dy: UnsafePointer<Float>) {
        for r in 0..<rows {
            addInPlace(gw + Int(tokens[r]) * width, dy + r * width, width)
        }
    }
}

/// One-hot input (no parameters): token k becomes the unit vector e_k of length V, time-major.
final class OneHotInput {
    let vocabSize: Int
    let output: UnsafeMutablePointer<Float>

    init(vocabSize: Int, maxRows: Int, workspace: Workspace) {
        self.vocabSize = vocabSize
        output = workspace.floats(maxRows * vocabSize)
    }

    func forward(tokens batchMajor: UnsafePointer<Int32>, batch: Int, steps: Int) {
        output.update(repeating: 0, count: batch * steps * vocabSize)
        for t in 0..<steps {
            for b in 0..<batch {
                let token = batchMajor[b * steps + t]
                precondition(token >= 0 && Int(token) < vocabSize, "token \(token) outside the vocabulary")
                output[(t * batch + b) * vocabSize + Int(token)] = 1
            }
        }
    }
}
