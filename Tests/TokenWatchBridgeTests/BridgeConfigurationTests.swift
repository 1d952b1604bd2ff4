import Testing
import TokenWatchCore

@testable import TokenWatchOTLP

@Suite struct BridgeConfigurationTests {
    /// The names real instrumentations put the person under, after the application's own.
    @Test func theDefaultsFindTheUserWhereInstrumentationsPutIt() {
        let names = BridgeConfiguration().attributes
        #expect(
            names.user == [
                "user.id", "enduser.id", "traceloop.association.properties.user_id", "gen_ai.user",
                "gen_ai.request.user",
            ])
        #expect(names.team.contains("traceloop.association.properties.team_id"))
    }

    @Test func theEdgeKeysReadAndRenderBack() throws {
        let yaml = """
            bridge:
              max_connections: 300
              request_timeout: 5s
              join_wait: 2s
            """
        let configuration = try ConfigurationLoader.load(yaml: yaml, file: "edge.yaml")
        #expect(configuration.bridge.maxConnections == 300)
        #expect(configuration.bridge.requestTimeout == .seconds(5))
        #expect(configuration.bridge.joinWait == .seconds(2))
        let again = try ConfigurationLoader.load(yaml: ConfigurationRenderer.yaml(configuration), file: "printed")
        #expect(again == configuration)
    }

    @Test(arguments: ["max_connections: 3", "request_timeout: 20m", "join_wait: 1h"])
    func aBadValueNamesItsFileLineAndKey(line: String) {
        let yaml = "bridge:\n  listen: 127.0.0.1:4318\n  \(line)\n"
        #expect {
            try ConfigurationLoader.load(yaml: yaml, file: "bad.yaml")
        } throws: { error in
            let key = String(line.prefix { $0 != ":" })
            return "\(error)".contains("bad.yaml:3:") && "\(error)".contains("bridge.\(key)")
        }
    }
}
