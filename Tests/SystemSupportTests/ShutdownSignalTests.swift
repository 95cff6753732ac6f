import Foundation
import SystemSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct ShutdownSignalTests {
    @Test func requestIsSeenByFlagAndDescriptor() {
        let signal = ShutdownSignal(signals: [])
        #expect(!signal.isRequested)
        signal.request()
        #expect(signal.isRequested)
        #expect(isReadable(signal.readFD))
        signal.drain()
        #expect(!isReadable(signal.readFD))
        #expect(signal.isRequested)
    }

    @Test func aRealSignalWakesThePoller() async throws {
        let signal = ShutdownSignal(signals: [.sigusr1])
        // Until its source is registered SIGUSR1 would end the test process: wait for the signalfd.
        var registered = false
        for _ in 0..<1000 where !registered {
            registered = OpenDescriptors.signalFDs(watching: SIGUSR1) > 0
            if !registered { try await Task.sleep(for: .milliseconds(10)) }
        }
        try #require(registered)
        #expect(!signal.isRequested)
        kill(getpid(), SIGUSR1)
        var woke = false
        for _ in 0..<1000 where !woke {
            woke = isReadable(signal.readFD)
            if !woke { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(woke)
        #expect(signal.isRequested)
    }

    @Test func droppingSignalSourcesFreesEverything() async throws {
        let before = try OpenDescriptors.count()
        var signals = (0..<300).map { _ in ShutdownSignal(signals: [.sigusr2]) }
        for _ in 0..<1000 where OpenDescriptors.signalFDs(watching: SIGUSR2) == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        try #require(OpenDescriptors.signalFDs(watching: SIGUSR2) > 0, "no source was ever registered")
        signals.removeAll()
        // The listening tasks end asynchronously; wait for their sources to go, within bounds.
        var after = try OpenDescriptors.count()
        var sources = OpenDescriptors.signalFDs(watching: SIGUSR2)
        for _ in 0..<1000 where after > before + 100 || sources > 0 {
            try await Task.sleep(for: .milliseconds(10))
            after = try OpenDescriptors.count()
            sources = OpenDescriptors.signalFDs(watching: SIGUSR2)
        }
        // Dispatch closes a signal's signalfd once its last source is cancelled.
        #expect(sources == 0, "signal sources of dropped ShutdownSignals are still registered")
        // A leak would be 600 (each source's pipe); the slack is for other suites meanwhile.
        #expect(after <= before + 100, "open descriptors grew from \(before) to \(after)")
    }
}
