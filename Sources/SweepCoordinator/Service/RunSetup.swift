import Foundation
import SweepCore
import SweepStore

/// A sweep prepared to run: parsed file, resolved dataset, run folder, store with every trial,
/// and the scheduler's starting state (finished trials kept, unfinished ones resumable).
public struct RunSetup: Sendable {
    public let sweep: SweepFile
    public let dataset: ResolvedDataset
    public let folder: RunFolder
    public let store: SweepStore
    /// Held while this value lives: no second coordinator runs in the same folder.
    public let lock: RunFolderLock
    /// Trials in schedule order.
    public let trials: [Trial]
    public let restored: [String: Scheduler.RestoredTrial]
    /// What had to be repaired in sweep.db before the run could use it (each is also logged).
    public let repairs: [StoreRepair]
    /// Each trial's config as JSON, encoded once at the start: a new trial's row keeps this text, and
    /// every ASSIGN of the trial carries it.
    public let configJSON: [String: [UInt8]]

    /// - Throws: `SweepFileError` (exit 2) for a bad file, `RunSetupError` for a changed sweep
    ///   without --extend/--fresh, `DatasetError` for a missing dataset.
    public static func prepare(_ options: CoordinatorOptions) async throws -> RunSetup {
        let sweep = try SweepFile(contentsOf: options.sweepFile, file: options.sweepFile.relativePath)
        let dataset = try await DatasetResolver().resolve(for: sweep)
        let folder = RunFolder(sweepName: sweep.name, base: options.base)
        let lock = try RunFolderLock(for: folder)
        if options.fresh, FileManager.default.fileExists(atPath: folder.root.path) {
            try FileManager.default.removeItem(at: folder.root)
        }
        try folder.create()
        let store = try SweepStore(path: folder.database.path, busyTimeout: 1)
        let specJSON = String(decoding: try Data(contentsOf: options.sweepFile), as: UTF8.self)
        switch try store.openSweep(name: sweep.name, specHash: sweep.sourceSHA256, specJSON: specJSON) {
        case .created, .unchanged:
            break
        case .changed:
            guard options.extend else {
                throw RunSetupError("""
                    \(sweep.file): the sweep file changed since \(folder.root.path) was started. \
                    Run with --extend to keep finished trials and add the new ones, or --fresh to start over.
                    """)
            }
            try store.replaceSpec(name: sweep.name, specHash: sweep.sourceSHA256, specJSON: specJSON)
        }
        try Data(specJSON.utf8).write(to: folder.sweepCopy, options: .atomic)

        let text = try dataset.text(preprocess: sweep.dataset.preprocess)
        let vocabulary = Set(text.unicodeScalars).count
        let expanded = sweep.trials(dataset: dataset)
        let ordered = sweep.schedule.order(expanded, datasetLength: text.unicodeScalars.count, vocabularySize: vocabulary)
        var configJSON: [String: [UInt8]] = [:]
        let newTrials = try expanded.map { trial in
            let json = try TrialJSON.string(trial.config)
            configJSON[trial.id] = Array(json.utf8)
            return NewTrial(number: trial.number, trialID: trial.id, configJSON: json,
                            grid: trial.gridValues.map { GridEntry(key: $0.key, value: $0.text) },
                            estimatedCost: TrainingCost.estimate(trial.config, datasetLength: text.unicodeScalars.count,
                                                                 vocabularySize: vocabulary),
                            parameters: TrainingCost.parameterCount(trial.config.model, vocabularySize: vocabulary))
        }
        _ = try store.insertTrials(newTrials)
        let repairs = try repair(store, folder: folder, trials: expanded)
        // After the damage check, which must see a damaged number before it is overwritten.
        try store.renumberTrials(order: expanded.map(\.id))
        if options.retryFailed {
            let retried = try store.retryFinished(configErrors: options.retryConfigErrors)
            if !retried.isEmpty {
                try store.appendEvent(kind: "retry", message: "retrying \(retried.count) trial(s): \(retried.joined(separator: ", "))")
            }
        }

        // What a previous run left: finished trials stay finished; running ones become orphans
        // that resume from their latest checkpoint (or are re-adopted by their worker).
        var restored: [String: Scheduler.RestoredTrial] = [:]
        var decided: [String: Set<Int>] = [:]
        if sweep.earlyStopping != nil {
            for event in try store.events(kinds: ["decision"]) {
                guard let trialID = event.trialID, let epoch = ReportDecisions.epoch(in: event.message) else { continue }
                decided[trialID, default: []].insert(epoch)
            }
        }
        // One read per table, not three or four per trial.
        let results = try store.resultsByTrial()
        let attemptsByTrial = try store.attemptsByTrial()
        let latestCheckpoints = try store.latestCheckpointsByTrial()
        let epochsByTrial = sweep.earlyStopping != nil ? try store.epochsByTrial() : [:]
        for record in try store.allTrials() {
            var state = Scheduler.RestoredTrial(attemptsStarted: record.attempts)
            if record.status.isFinished {
                state.outcome = TrialOutcome(rawValue: record.status.rawValue)
                let result = results[record.trialID]
                state.winningAttempt = result?.attempt ?? record.attempts
                if record.status == .stopped { state.stoppedEpoch = result?.epochsRun ?? 0 }
            } else if record.status == .running {
                state.wasRunning = true
                _ = try store.requeue(trialID: record.trialID)
            }
            let attempts = attemptsByTrial[record.trialID] ?? []
            // Infra failures since the last --retry-failed count against the attempt budget.
            state.infraFailures = attempts.filter {
                $0.attempt > record.retryFromAttempt && ($0.outcome == "infra" || $0.outcome == "lost")
            }.count
            state.pausedAttempt = attempts.filter { $0.outcome == "paused" }.map(\.attempt).max()
            for attempt in attempts {
                guard let leaseID = attempt.leaseID else { continue }
                state.leases[attempt.attempt] = Lease(id: leaseID, worker: WorkerID(attempt.workerID ?? ""),
                                                      workerName: attempt.workerName)
            }
            if sweep.earlyStopping != nil {
                // The early-stopping rule and the budget pick up where the previous run left them.
                state.decidedEpochs = decided[record.trialID] ?? []
                for epoch in epochsByTrial[record.trialID] ?? [] {
                    if let loss = epoch.valLoss { state.valLosses[epoch.epoch] = loss }
                    if let seconds = epoch.seconds, seconds.isFinite, seconds > 0 { state.secondsTrained += seconds }
                }
            }
            if let checkpoint = latestCheckpoints[record.trialID] {
                state.latestCheckpoint = StoredCheckpoint(epoch: checkpoint.epoch, path: checkpoint.path, sha256: checkpoint.sha256)
            }
            restored[record.trialID] = state
        }
        return RunSetup(sweep: sweep, dataset: dataset, folder: folder, store: store, lock: lock, trials: ordered, restored: restored,
                        repairs: repairs, configJSON: configJSON)
    }

    /// Checks sweep.db before the run reads it: repairable damage is fixed (and returned to be
    /// logged); anything else stops the run with a message naming the trial.
    private static func repair(_ store: SweepStore, folder: RunFolder, trials: [Trial]) throws -> [StoreRepair] {
        let epochs = Dictionary(trials.map { ($0.id, $0.config.training.epochs) }, uniquingKeysWith: { a, _ in a })
        let repairs: [StoreRepair]
        do {
            repairs = try store.repairForRun(epochs: epochs, attemptCeiling: Scheduler.attemptCeiling) { path in
                FileManager.default.fileExists(atPath: folder.absolute(path).path)
            }
        } catch let error as StoreError {
            throw RunSetupError("""
                \(folder.database.path) is damaged: \(error). Repair or delete that row, or start over with --fresh.
                """)
        }
        do {
            for repair in repairs {
                _ = try store.appendEvent(kind: "repair", message: "sweep.db repaired: \(repair)", trialID: repair.trialID)
            }
        } catch {
            throw RunSetupError("cannot record the repairs of \(folder.database.path): \(error)")
        }
        return repairs
    }

    /// "tail, last 10% of the text" — for the report.
    public var splitDescription: String {
        let percent = Int((sweep.split.fraction * 100).rounded())
        switch sweep.split.kind {
        case .tail: return "tail: the last \(percent)% of the text is validation"
        case .random: return "random: a seeded random \(percent)% of the windows is validation"
        case .none: return "none: validation uses the training text (as the original Shakespeare grid did)"
        case .windows:
            return "windows: the first \(sweep.split.trainWindows ?? 0) windows train, the next \(sweep.split.validationWindows ?? 0) validate"
        }
    }
}

/// The trial config as JSON text, the way ASSIGN and the store carry it.
public enum TrialJSON {
    public static func string(_ config: TrialConfig) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(config), as: UTF8.self)
    }
}
