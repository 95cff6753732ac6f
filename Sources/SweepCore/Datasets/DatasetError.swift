import Foundation
import SystemSupport

/// A dataset that cannot be used; every message says what happened and what to do.
public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError, SystemCallFailure {
    /// A file whose content is not the expected one.
    case checksumMismatch(path: String, actual: String, actualBytes: Int, expected: String, expectedBytes: Int, dataset: String)
    /// A registry dataset that is nowhere locally and could not be downloaded.
    case unavailable(dataset: String, url: String, reason: String, placesToPut: [String], byteCount: Int, sha256: String)
    /// A dataset file named in a sweep file that does not exist.
    case missingFile(path: String, givenIn: String?)
    case unreadable(path: String, reason: String)
    case notUTF8(path: String)
    /// Bytes offered to the cache whose hash is not the one they were sent under.
    case hashMismatch(expected: String, actual: String)
    case cacheWriteFailed(path: String, reason: String, errorNumber: Int32?)
    /// A registry name that is not in the registry.
    case unknownDataset(name: String, known: [String])

    /// The `errno` of a failed cache write, when known (a full disk is the worker's, not the trial's).
    public var systemErrorNumber: Int32? {
        if case let .cacheWriteFailed(_, _, errorNumber) = self { return errorNumber }
        return nil
    }

    /// Process exit status: the user has to fix something (a file, a folder, the network).
    public var exitCode: Int32 { 2 }

    public var description: String {
        switch self {
        case let .checksumMismatch(path, actual, actualBytes, expected, expectedBytes, dataset):
            let sizes = actualBytes == expectedBytes ? "" : " (\(actualBytes) bytes, expected \(expectedBytes))"
            return "\(path): SHA-256 is \(actual), expected \(expected) for dataset \(dataset)\(sizes); delete it or put the right file there"
        case let .unavailable(dataset, url, reason, places, byteCount, sha256):
            return "dataset \(dataset) is not available locally and could not be downloaded from \(url) (\(reason)). "
                + "Put the file (\(byteCount) bytes, SHA-256 \(sha256)) at "
                + places.joined(separator: " or ")
        case let .missingFile(path, givenIn):
            return "dataset file \(path) does not exist" + (givenIn.map { " (given in \($0), relative to that file's folder)" } ?? "")
        case let .unreadable(path, reason):
            return "\(path): cannot read the dataset (\(reason))"
        case let .notUTF8(path):
            return "\(path): the dataset is not UTF-8 text"
        case let .hashMismatch(expected, actual):
            return "dataset bytes hash to SHA-256 \(actual), not the \(expected) they were sent as; refusing to cache them"
        case let .cacheWriteFailed(path, reason, _):
            return "cannot write the dataset cache file \(path) (\(reason)); set RNNSWEEP_CACHE_DIR to a writable folder"
        case let .unknownDataset(name, known):
            return "unknown dataset \"\(name)\"; known: \(known.joined(separator: ", "))"
        }
    }

    public var errorDescription: String? { description }
}
