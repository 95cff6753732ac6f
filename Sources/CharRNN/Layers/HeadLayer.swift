/// A module of the `fc` head working on rows of a [rows, width] matrix, with its own output and
/// input-gradient buffers sized for the largest row count.
protocol HeadLayer: AnyObject {
    var outputWidth: Int { get }
    var output: UnsafeMutablePointer<Float> { get }
    var inputGradient: UnsafeMutablePointer<Float> { get }
    func forward(_ x: UnsafePointer<Float>, rows: Int, training: Bool, rng: inout SeededGenerator)
    /// Accumulates parameter gradients and writes `inputGradient` from dL/d(output).
    func backward(_ dy: UnsafePointer<Float>, rows: Int)
}
