import ArgumentParser
import Foundation

/// A mistake ArgumentParser cannot see from the arguments alone (a missing executable, a missing
/// dataset): it prints "Error: <message>" and exits with status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    static func usage(_ message: String) -> CLIError { CLIError(description: message) }
}

/// How a subcommand reports a bad sweep file, run folder or option value: one line on standard
/// error, then the exit status for that kind of input (2 for bad input). Throw the result.
func exitReporting(_ message: String, code: Int32 = 2) -> ExitCode {
    FileHandle.standardError.write(Data("coordinator: \(message)\n".utf8))
    return ExitCode(code)
}
