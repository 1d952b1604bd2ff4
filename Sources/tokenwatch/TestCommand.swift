import ArgumentParser
import Foundation
import TokenWatchCore
import TokenWatchRuntime
import TokenWatchSimulation

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract:
            "Run offline threshold tests: events and the alerts that must and must not fire (like promtool test rules).",
        discussion: "See Config/tests/ for examples. Exits 1 if any test fails, with what was expected and what fired.")

    @Argument(help: "Test files (YAML).")
    var files: [String]

    func run() throws {
        var passed = 0
        var failed = 0
        for file in files {
            let suite: ThresholdTestFile
            do {
                suite = try ThresholdTestFile.load(path: file, defaults: .builtIn) {
                    try String(contentsOfFile: $0, encoding: .utf8)
                }
            } catch let error as ConfigurationError {
                printError(error.description)
                failed += 1
                continue
            } catch {
                printError("\(file): \(error.localizedDescription)")
                failed += 1
                continue
            }
            print(file)
            for outcome in suite.run() {
                if outcome.failures.isEmpty {
                    passed += 1
                    print("  ok    \(outcome.name)")
                } else {
                    failed += 1
                    print("  FAIL  \(outcome.name)")
                    for failure in outcome.failures { print("        \(failure)") }
                }
            }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
