import ArgumentParser
import Foundation

@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Runs hyperparameter sweeps of character-level RNNs over local and remote workers.",
        subcommands: [RunCommand.self, PlanCommand.self, MACsCommand.self, StatusCommand.self, ExportCommand.self,
                      ReportCommand.self, KeygenCommand.self, SimulateCommand.self])
}
