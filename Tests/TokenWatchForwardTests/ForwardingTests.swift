import Foundation
import Testing
import TokenWatchCore

@testable import TokenWatchForward

func alert(
    seq: UInt64, id: String, incident: String = "inc1", severity: String = "warning", state: String = "firing",
    ts: String = "2026-11-30T10:00:00.000Z"
) -> ForwardedAlert {
    let topic = state == "resolved" ? "alert.agent_loop.resolved" : "alert.agent_loop.\(severity)"
    let payload =
        #"{"id":"\#(id)","incident":"\#(incident)","seq":\#(seq),"detector":"agent_loop","severity":"\#(severity)","#
        + #""state":"\#(state)","subject":{"user":"alice","agent":"code-agent"},"ts":"\#(ts)","#
        + #""observed":{"iterations":20,"novelty":0.1},"summary":"looping","evidence":["e1","e2"],"suppressed":0}"#
    return ForwardedAlert(seq: seq, topic: topic, payload: payload)!
}

@Suite struct ForwardCursorTests {
    @Test func theCursorKeepsTheLastIds() {
        var cursor = ForwardStore.Cursor()
        for index in 0..<(ForwardStore.recentLimit + 3) {
            cursor.handled(alert(seq: UInt64(index), id: "id\(index)"))
        }
        #expect(cursor.recentIDs.count == ForwardStore.recentLimit)
        #expect(cursor.recentIDs.first == "id3")
        #expect(cursor.seq == UInt64(ForwardStore.recentLimit + 2))
        #expect(cursor.handledCount == UInt64(ForwardStore.recentLimit + 3))
    }
}

@Suite struct EdgeConfigurationTests {
    @Test func bridgeAndForwardSectionsReadAndRenderBack() throws {
        let yaml = """
            bridge:
              listen: 0.0.0.0:4318
              attributes:
                team: [litellm.team_alias]
            forward:
              alertmanagers: [http://am:9093]
              webhooks:
                - url: https://hooks.example.com/x
                  secret_file: /etc/tokenwatch/hook.key
              resend_interval: 30s
            """
        let configuration = try ConfigurationLoader.load(yaml: yaml, file: "edge.yaml", defaults: .builtIn)
        #expect(configuration.bridge.listen == "0.0.0.0:4318")
        #expect(configuration.bridge.attributes.team == ["litellm.team_alias"])
        #expect(configuration.bridge.attributes.user == BridgeConfiguration().attributes.user)
        #expect(
            configuration.forward.receivers[WebhookConfiguration.self].webhooks == [
                .init(url: "https://hooks.example.com/x", secretFile: "/etc/tokenwatch/hook.key")
            ])
        #expect(configuration.forward.receivers[AlertmanagerConfiguration.self].resendInterval == .seconds(30))
        let again = try ConfigurationLoader.load(
            yaml: ConfigurationRenderer.yaml(configuration), file: "printed", defaults: .builtIn)
        #expect(again == configuration)
    }

    @Test func badValuesNameTheirLineAndKey() {
        let yaml = """
            forward:
              alertmanagers: [am:9093]
              webhooks:
                - secret_file: k
            bridge:
              listen: nowhere
            """
        #expect {
            try ConfigurationLoader.load(yaml: yaml, file: "bad.yaml", defaults: .builtIn)
        } throws: { error in
            let text = "\(error)"
            return text.contains("bad.yaml:2:") && text.contains("forward.alertmanagers")
                && text.contains("forward.webhooks[0].url") && text.contains("bad.yaml:6:")
                && text.contains("bridge.listen")
        }
    }
}
