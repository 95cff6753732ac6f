import Foundation
import SweepCoordinator
import Testing

@Suite struct OpenFileLimitTests {
    private func limits() -> rlimit {
        var limit = rlimit()
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return limit
    }

    @Test func theSoftLimitIsRaisedToTheHardOne() throws {
        let soft = try OpenFileLimit.raise(toServe: 16)
        let now = limits()
        #expect(now.rlim_cur == now.rlim_max)
        #expect(soft == Int(clamping: now.rlim_cur))
    }

    @Test func aRunNeedingMoreThanTheHardLimitIsAClearError() {
        let hard = Int(clamping: limits().rlim_max)
        guard hard < Int.max / 4 else { return }   // an unlimited hard limit cannot be exceeded
        #expect { try OpenFileLimit.raise(toServe: hard + 1) } throws: { error in
            "\(error)".contains("open-file limit") && "\(error)".contains("\(hard + 1)")
        }
        #expect(OpenFileLimit.needed(workers: 1000) > 2000)
    }
}
