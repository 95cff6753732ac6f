import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches a URL's bytes with URLSession; errors come back as readable reasons.
enum DatasetDownloader {
    struct Failure: Error {
        let reason: String
    }

    static func fetch(_ url: URL, timeout: TimeInterval) async -> Result<Data, Failure> {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout * 10
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        return await withCheckedContinuation { continuation in
            let task = session.dataTask(with: url) { data, response, error in
                if let error {
                    continuation.resume(returning: .failure(Failure(reason: describe(error))))
                } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                    continuation.resume(returning: .failure(Failure(reason: "HTTP status \(http.statusCode)")))
                } else {
                    continuation.resume(returning: .success(data ?? Data()))
                }
            }
            task.resume()
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let urlError = error as? URLError else { return error.localizedDescription }
        switch urlError.code {
        case .notConnectedToInternet: return "offline"
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "host not found (offline?)"
        case .timedOut: return "timed out"
        default: return "URL error \(urlError.code.rawValue): \(urlError.localizedDescription)"
        }
    }
}
