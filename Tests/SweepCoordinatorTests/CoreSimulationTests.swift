import Testing
@testable import SweepCoordinator

/// `CoreSimulation` drives the real scheduler with simulated time: the tail of a sweep on
/// elastic cores takes what the scaling curve says, and never more threads than cores.
@Suite struct CoreSimulationTests {
    @Test func threeEqualTrialsOnTwoCores() {
        let linear = CoreSimulation(trialSeconds: [100, 100, 100]) { Double($0) }
        let fixed = linear.run(cores: 2, elastic: false)
        let elastic = linear.run(cores: 2, elastic: true)
        #expect(abs(fixed.makespan - 200) < 1e-6)
        #expect(abs(elastic.makespan - 150) < 1e-6)
        #expect(elastic.mostThreads == 2 && fixed.mostThreads == 1)
        #expect(elastic.peakThreads <= 2 && fixed.commands == 0)
        // 1.5x on two threads, applied half a second after the command.
        let measured = CoreSimulation(trialSeconds: [100, 100, 100], applyDelay: 0.5, speedup: CoreSimulation.amdahl(twoThreads: 1.5))
        #expect(abs(measured.run(cores: 2, elastic: true).makespan - (100 + 0.5 + 99.5 / 1.5)) < 1e-6)
    }

    @Test func pausingEndsThreeEqualTrialsOnTwoCoresTogether() {
        // Two threads at 1.5x: growing the tail alone ends at 100 + 100/1.5; pausing one trial
        // at its fifth of ten checkpoints ends all three at 150 with no thread to spare.
        let measured = CoreSimulation(trialSeconds: [100, 100, 100], speedup: CoreSimulation.amdahl(twoThreads: 1.5))
        let pausing = measured.run(cores: 2, elastic: true, pausing: true)
        #expect(abs(pausing.makespan - 150) < 1e-6)
        #expect(pausing.pauses == 1 && pausing.peakThreads <= 2)
        #expect(measured.run(cores: 2, elastic: true).pauses == 0)
    }

    @Test func amdahlPassesThroughTheMeasuredPoint() {
        let s = CoreSimulation.amdahl(twoThreads: 1.6)
        #expect(abs(s(1) - 1) < 1e-12 && abs(s(2) - 1.6) < 1e-12)
        #expect(s(64) > s(8) && s(8) > s(2))
        #expect(abs(CoreSimulation.amdahl(twoThreads: 2)(8) - 8) < 1e-9)
    }

    @Test func unevenTrialsOnManyCoresNeverExceedTheCores() {
        let seconds = (1...54).map { Double(($0 * 37) % 23 + 5) * 10 }
        let sim = CoreSimulation(trialSeconds: seconds, applyDelay: 0.5, speedup: CoreSimulation.amdahl(twoThreads: 1.7))
        for cores in [2, 8, 32, 64] {
            let fixed = sim.run(cores: cores, elastic: false)
            let elastic = sim.run(cores: cores, elastic: true)
            #expect(elastic.peakThreads <= cores && fixed.peakThreads <= cores)
            #expect(elastic.makespan <= fixed.makespan + 1e-6)
            #expect(elastic.makespan >= elastic.lowerBound - 1e-6)
            let pausing = sim.run(cores: cores, elastic: true, pausing: true)
            #expect(pausing.peakThreads <= cores && pausing.makespan >= pausing.lowerBound - 1e-6)
        }
        // With more cores than trials the longest trial alone bounds the fixed schedule.
        #expect(abs(sim.run(cores: 64, elastic: false).makespan - (seconds.max() ?? 0)) < 1e-6)
        #expect(sim.run(cores: 64, elastic: true).makespan < (seconds.max() ?? 0) * 0.75)
    }
}
