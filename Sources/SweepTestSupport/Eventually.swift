import Foundation

/// Waits for a condition on state that announces nothing (rows in a database, files, processes):
/// checks it every 20 ms until it holds or `seconds` pass; returns whether it held.
public func eventually(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
