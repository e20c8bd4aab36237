import ArgumentParser
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs")
}
