/// A checkpoint that is readable safetensors but not a usable RNNSweep training state.
public struct CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var problem: String
    public init(file: String, problem: String) { self.file = file; self.problem = problem }
    public var description: String { "checkpoint \(file): \(problem)" }
}
