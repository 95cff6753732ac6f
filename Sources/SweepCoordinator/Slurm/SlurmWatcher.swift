import Foundation

/// Polls the launcher on a thread of its own (squeue can take a while) until stopped.
public final class SlurmWatcher: @unchecked Sendable {
    let launcher: SlurmLauncher
    private let condition = NSCondition()
    private var stopping = false
    private var finished = false
    private var started = false

    public init(launcher: SlurmLauncher) { self.launcher = launcher }

    public func start() {
        condition.lock(); started = true; condition.unlock()
        let thread = Thread { [self] in
            condition.lock()
            while !stopping {
                condition.unlock()
                launcher.poll()
                condition.lock()
                if !stopping { _ = condition.wait(until: Date().addingTimeInterval(launcher.settings.pollInterval)) }
            }
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "slurm-watcher"
        thread.start()
    }

    /// Stops polling and waits for the thread's current poll to end.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while started, !finished { condition.wait() }
        condition.unlock()
    }
}
