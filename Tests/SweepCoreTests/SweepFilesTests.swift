import Foundation
import Testing
@testable import SweepCore

/// Every sweep file shipped in sweeps/ parses, resolves its dataset from RNNSWEEP_DATA_DIR and
/// fits it.
@Suite struct SweepFilesTests {
    static let files: [String] = {
        let folder = TestFiles.packageRoot.appendingPathComponent("sweeps")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test func shipsTheSweepsOfTheDesign() {
        #expect(Self.files == ["d2l-deep.json", "d2l-rnn.json", "d2l-timemachine.json", "deep.json", "nextchar.json", "seed004-p1.json",
                               "seed004.json", "shakespeare-asha.json", "shakespeare-random.json", "shakespeare-seed004.json",
                               "shakespeare.json", "smoke.json", "timemachine.json"])
    }

    @Test(arguments: files)
    func parsesAndValidates(_ name: String) async throws {
        let sweep = try TestFiles.sweep(named: name)
        #expect(sweep.name + ".json" == name)
        let resolver = DatasetResolver(environment: [:], dataDirectory: TestFiles.dataDirectory,
                                       cacheDirectory: TestFiles.unusedDirectory, allowDownload: false)
        let dataset = try await resolver.resolve(for: sweep)
        let text = try dataset.text(preprocess: sweep.dataset.preprocess)
        try sweep.validate(against: text.unicodeScalars.count)
        let trials = sweep.trials(dataset: dataset)
        #expect(trials.count == sweep.grid.reduce(1) { $0 * $1.values.count } * (sweep.search?.samples ?? 1))
        #expect(Set(trials.map(\.id)).count == trials.count)
        #expect(trials.allSatisfy { $0.config.dataset.sha256 == dataset.sha256 })
        if case .file = sweep.dataset.source {
            #expect(sweep.registryDataset() == nil)
        } else {
            #expect(sweep.registryDataset().map { $0 == trials[0].config.dataset } ?? false)
        }
    }

    @Test func expectedSizes() throws {
        #expect(try TestFiles.sweep(named: "nextchar.json").trialCount == 9)
        #expect(try TestFiles.sweep(named: "timemachine.json").trialCount == 15)
        #expect(try TestFiles.sweep(named: "deep.json").trialCount == 8)
        #expect(try TestFiles.sweep(named: "smoke.json").trialCount == 4)
        #expect(try TestFiles.sweep(named: "shakespeare-seed004.json").trialCount == 54)
        #expect(try TestFiles.sweep(named: "seed004.json").trialCount == 54)
        #expect(try TestFiles.sweep(named: "seed004-p1.json").trialCount == 9)
        #expect(try TestFiles.sweep(named: "d2l-timemachine.json").trialCount == 10)
        #expect(try TestFiles.sweep(named: "d2l-rnn.json").trialCount == 1)
        #expect(try TestFiles.sweep(named: "d2l-deep.json").trialCount == 4)
    }

    @Test func seed004PromptIsTheWarwickSpeech() async throws {
        let sweep = try TestFiles.sweep(named: "shakespeare-seed004.json")
        let resolver = DatasetResolver(environment: [:], dataDirectory: TestFiles.dataDirectory, cacheDirectory: TestFiles.unusedDirectory, allowDownload: false)
        let text = Array(try await resolver.resolve(for: sweep).text().unicodeScalars)
        let slice = try #require(sweep.generate.promptSlices.first)
        let prompt = String(String.UnicodeScalarView(text[slice.offset..<slice.offset + slice.length]))
        #expect(prompt.hasPrefix("WARWICK:\nSo much his friend, ay, his unfeigned friend,\n"))
        #expect(prompt.hasSuffix("Or than for strength and safety of our country.\n"))
        #expect(sweep.trials(dataset: try #require(sweep.registryDataset()))[0].config.generate.mode == .window)
    }

    @Test func lettersLowercaseMatchesD2L() {
        #expect(Preprocessing.lettersLowercase.apply(to: "The Time Machine, by H. G. Wells [1898]\n\n\nI") == "the time machine by h g wells i")
        #expect(Preprocessing.none.apply(to: "A, b") == "A, b")
    }
}
