import Foundation
import SweepProtocol

extension ResultMetrics {
    /// Reads a trainer's result object (`TrialEnd` data); nil when it is not one.
    static func decode(_ data: Data) -> ResultMetrics? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try? decoder.decode(ResultMetrics.self, from: data)
    }
}
