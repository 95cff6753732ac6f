import ArgumentParser
import Foundation
import Logging
import SweepCore
import SweepWorker
import SystemSupport

@main
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Trains trials for a coordinator, or one trial on its own.",
        subcommands: [ConnectCommand.self, TrainCommand.self], defaultSubcommand: ConnectCommand.self)
}

struct ConnectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Connect to a coordinator and train what it assigns.")

    @Option(help: "Coordinator endpoint, e.g. tcp://head:5555.") var connect: String
    @Option(help: "Private folder (mode 0700) for the outbox and trial scratch (default: $XDG_STATE_HOME/rnnsweep/worker-<pid>, i.e. ~/.local/state/...).") var stateDir: String?
    @Option(help: "Coordinator public key file (CURVE; required for non-loopback endpoints).") var serverKey: String?
    @Option(help: "This worker's key pair file (coordinator keygen).") var key: String?
    @Option(help: "Pin this worker to this core (with --cores N: to the N cores from this one).") var pin: Int?
    @Option(help: "Threads each trial starts with (default: the trial's training.threads, at most --cores).") var threads: Int?
    @Option(help: "Cores this worker may train with (default: --threads, else 1); the coordinator may lend it idle workers' cores.") var cores: Int?
    @Flag(help: "Exit 0 when the coordinator reports the sweep complete (workers started for one sweep); without it the worker waits for the next run.") var exitWhenDone = false
    @Option(help: "With --exit-when-done: exit 7 after this many seconds without a word from the coordinator while no trial runs (0: never).") var giveUpAfter: Double = 30
    @Option(help: "Trials this worker holds while it trains, to start the next at once when one ends (0-4).") var prefetch: Int = 4
    @Option(help: .hidden) var parentPid: Int32?
    /// Set by a local coordinator, which learns of this process's exit under this id.
    @Option(help: .hidden) var workerId: String?
    @Option(help: .hidden) var protocolVersion: Int?
    @Option(help: .hidden) var silenceLimit: Double?
    @Option(help: .hidden) var watchdog: Double?

    func validate() throws {
        if let threads, !(1...256).contains(threads) { throw WorkerUsage.fail("--threads must be in 1...256, got \(threads)") }
        if let cores, !(1...256).contains(cores) { throw WorkerUsage.fail("--cores must be in 1...256, got \(cores)") }
        if let cores, let threads, threads > cores {
            throw WorkerUsage.fail("--threads \(threads) is more than --cores \(cores)")
        }
        if let pin, pin + (cores ?? threads ?? 1) > 1024 {
            throw WorkerUsage.fail("--pin \(pin) with \(cores ?? threads ?? 1) cores goes past core 1023")
        }
        if let pin, !(0..<1024).contains(pin) { throw WorkerUsage.fail("--pin must be a core number in 0...1023, got \(pin)") }
        if !(0...4).contains(prefetch) { throw WorkerUsage.fail("--prefetch must be in 0...4, got \(prefetch)") }
        if !(giveUpAfter >= 0 && giveUpAfter.isFinite) {
            throw WorkerUsage.fail("--give-up-after must be a number of seconds >= 0, got \(giveUpAfter)")
        }
    }

    func run() throws {
        var logger = Logger(label: "worker")
        logger.logLevel = .info
        // A bad endpoint would otherwise be retried in the background forever.
        do { try EndpointCheck.validate(connect) } catch {
            FileHandle.standardError.write(Data("worker: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        let state = stateDir.map { URL(fileURLWithPath: $0) }
            ?? PrivateDirectory.defaultStateRoot().appendingPathComponent("worker-\(pid)")
        do { try PrivateDirectory.prepare(state) } catch {
            FileHandle.standardError.write(Data("worker: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let started = UInt64(Date().timeIntervalSince1970 * 1000) % 1_000_000_000
        if let workerId, workerId.isEmpty || workerId.count > 128
            || !workerId.utf8.allSatisfy({ WorkerIDCharacters.allowed.contains($0) }) {
            throw ValidationError("--worker-id must be 1-128 characters of A-Z a-z 0-9 - . _, got \(workerId.debugDescription)")
        }
        let cores = self.cores ?? threads ?? 1
        if let pin {
            let range = pin..<(pin + cores)
            if !CPUAffinity.pin(toCores: range) { logger.warning("could not pin to cores \(range.lowerBound)-\(range.upperBound - 1)") }
        }
        var options = WorkerOptions(endpoint: connect, workerID: workerId ?? "\(host)-\(pid)-\(started)", host: host, cores: cores,
                                    build: WorkerBuild.version, stateDirectory: state,
                                    datasetCache: DatasetCache.defaultDirectory())
        options.cpus = CPUAffinity.allowed()
        options.parentPID = parentPid
        options.exitWhenDone = exitWhenDone
        options.prefetch = prefetch
        if exitWhenDone, giveUpAfter > 0 { options.giveUpAfter = giveUpAfter }
        options.protocolVersion = protocolVersion
        if let silenceLimit { options.coordinatorSilenceLimit = silenceLimit }
        if let watchdog { options.watchdogSeconds = watchdog }
        if let serverKey {
            guard let key else { throw ValidationError("--server-key needs --key (this worker's key pair file)") }
            options.serverPublicKey = try KeyFile.publicKey(URL(fileURLWithPath: serverKey))
            let pair = try KeyFile.pair(URL(fileURLWithPath: key))
            options.clientPublicKey = pair.public
            options.clientSecretKey = pair.secret
        }
        let service = try WorkerService(options: options, trainer: CharRNNTrialTrainer(threads: threads, maxThreads: cores),
                                        logger: logger)
        let exit = service.run()
        throw ExitCode(exit.rawValue)
    }
}

/// Reads key files written by `coordinator keygen` (worker side; no ZeroMQ needed to parse).
enum KeyFile {
    static func lines(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("# ") }.map { $0.split(separator: " ").map(String.init) }
    }
    static func publicKey(_ url: URL) throws -> String {
        for parts in try lines(url) {
            if parts.count == 2, parts[0] == "public", parts[1].count == 40 { return parts[1] }
            if parts.count == 1, parts[0].count == 40 { return parts[0] }
        }
        throw ValidationError("\(url.path): no public key")
    }
    static func pair(_ url: URL) throws -> (public: String, secret: String) {
        var pub: String?, sec: String?
        for parts in try lines(url) where parts.count == 2 {
            if parts[0] == "public" { pub = parts[1] }
            if parts[0] == "secret" { sec = parts[1] }
        }
        guard let pub, let sec, pub.count == 40, sec.count == 40 else { throw ValidationError("\(url.path): not a key pair file") }
        return (pub, sec)
    }
}

/// A bad option value: said on stderr, exit status 2.
enum WorkerUsage {
    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("worker: \(message)\n".utf8))
        return ExitCode(2)
    }
}

enum WorkerIDCharacters {
    static let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._".utf8)
}

enum WorkerBuild {
    static let version = "rnnsweep-0.1"
}
