import Foundation

/// Why a run cannot start. `exitCode` follows the CLI convention: 2 for bad input.
public struct RunSetupError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let exitCode: Int32
    public init(_ message: String, exitCode: Int32 = 2) {
        self.message = message
        self.exitCode = exitCode
    }
    public var description: String { message }
}
