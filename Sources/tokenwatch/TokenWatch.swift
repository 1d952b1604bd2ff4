import ArgumentParser

@main
struct TokenWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenwatch",
        abstract: "Watches a ZeroMQ stream of AI token events and publishes alerts on busywork (tokenmaxxing).",
        version: "0.1.0",
        subcommands: [
            RunCommand.self, ReplayCommand.self, GenerateCommand.self, TailCommand.self, DemoCommand.self,
            CheckConfigCommand.self, EvaluateCommand.self, TestCommand.self, KeygenCommand.self, BridgeCommand.self,
            ShardCommand.self, ReportCommand.self,
            ForwardCommand.self,
        ]
    )
}
