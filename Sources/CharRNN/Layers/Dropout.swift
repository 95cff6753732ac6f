/// Inverted dropout (nn.Dropout): in training each element is kept with probability 1 − p and scaled
/// by 1/(1 − p); in evaluation it is the identity. Draws from the caller's seeded generator.
final class Dropout {
    let probability: Float
    let width: Int
    let output: UnsafeMutablePointer<Float>
    private let mask: UnsafeMutablePointer<Float>
    private var active = false

    init(probability: Double, width: Int, maxRows: Int, workspace: Workspace) {
        self.probability = Float(probability)
        self.width = width
        output = workspace.floats(maxRows * width)
        mask = workspace.floats(maxRows * width)
    }

    func forward(_ x: UnsafePointer<Float>, rows: Int, training: Bool, rng: inout SeededGenerator) {
        let n = rows * width
        active = training && probability > 0
        guard active else { output.update(from: x, count: n); return }
        let scale = 1 / (1 - probability)
        for i in 0..<n { mask[i] = rng.nextUnitFloat() < probability ? 0 : scale }
        for i in 0..<n { output[i] = x[i] * mask[i] }
    }

    /// dx = dy · mask, written into `dx` (may alias `dy`).
    func backward(_ dy: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, rows: Int) {
        let n = rows * width
        if active {
            for i in 0..<n { dx[i] = dy[i] * mask[i] }
        } else if UnsafePointer(dx) != dy {
            dx.update(from: dy, count: n)
        }
    }
}
