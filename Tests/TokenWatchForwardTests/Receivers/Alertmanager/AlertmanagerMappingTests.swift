import Foundation
import Testing
import TokenWatchCore

@testable import TokenWatchForward

@Suite struct AlertmanagerMappingTests {
    @Test func alertNamesAreCamelCasedDetectors() {
        #expect(AlertmanagerAlert.alertName("repetitive_prompts") == "TokenWatchRepetitivePrompts")
        #expect(AlertmanagerAlert.alertName("offhours_burst") == "TokenWatchOffhoursBurst")
    }

    @Test func labelsAndAnnotationsCarryTheAlert() {
        let mapped = AlertmanagerAlert(alert(seq: 0, id: "a1"), startsAt: "2026-11-01T10:00:00.000Z")
        #expect(
            mapped.labels == [
                "alertname": "TokenWatchAgentLoop", "detector": "agent_loop", "severity": "warning", "user": "alice",
                "agent": "code-agent", "incident": "inc1",
            ])
        #expect(mapped.annotations["summary"] == "looping")
        #expect(mapped.annotations["observed"] == "iterations=20 novelty=0.1")
        #expect(mapped.annotations["evidence"] == "e1,e2")
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        // 1_795_000_000 s after 1970 is 2026-11-18T11:06:40Z.
        let open = mapped.json(openUntil: "2026-11-18T11:10:40.000Z", now: now)
        #expect(open["startsAt"] as? String == "2026-11-01T10:00:00.000Z")
        #expect(open["endsAt"] as? String == "2026-11-18T11:10:40.000Z")
        var resolved = mapped
        resolved.resolvedAt = "2026-11-02T10:00:00.000Z"
        #expect(resolved.json(openUntil: "X", now: now)["endsAt"] as? String == "2026-11-02T10:00:00.000Z")
        // A resolution stamped after now ends now instead.
        resolved.resolvedAt = "2026-11-30T10:00:00.000Z"
        #expect(resolved.json(openUntil: "X", now: now)["endsAt"] as? String == "2026-11-18T11:06:40.000Z")
        // An incident that starts after now (event time ahead of the clock) starts now, and ends 1 ms later.
        var ahead = AlertmanagerAlert(alert(seq: 1, id: "a2"), startsAt: "2026-11-18T11:10:00.000Z")
        ahead.resolvedAt = "2026-11-18T11:10:30.000Z"
        #expect(ahead.json(openUntil: "X", now: now)["startsAt"] as? String == "2026-11-18T11:06:40.000Z")
        #expect(ahead.json(openUntil: "X", now: now)["endsAt"] as? String == "2026-11-18T11:06:40.001Z")
    }

    /// Identities become labels folded as the daemon folds ids: control, bidirectional and zero-width
    /// characters are removed (then NFKC, lower case, trimmed), so a label reads as the person it names.
    @Test func identitiesAreFoldedBeforeTheyBecomeLabels() throws {
        let payload =
            #"{"id":"a1","incident":"inc1","detector":"agent_loop","severity":"warning","state":"firing","#
            + #""subject":{"user":"ma\u200Bllo\u202Ery\u0007","agent":"\u2066code\u200D-agent\u0000\u2069"},"#
            + #""ts":"2026-11-30T10:00:00.000Z","summary":"s"}"#
        let forwarded = try #require(ForwardedAlert(seq: 0, topic: "alert.agent_loop.warning", payload: payload))
        #expect(forwarded.user == "ma\u{200B}llo\u{202E}ry\u{07}")
        let mapped = AlertmanagerAlert(forwarded, startsAt: "2026-11-30T10:00:00.000Z")
        #expect(mapped.labels["user"] == "mallory")
        #expect(mapped.labels["agent"] == "code-agent")
    }

    @Test func anIncidentIsOneEntryUntilItsResolutionIsDelivered() {
        var state = AlertmanagerState()
        state.apply(alert(seq: 0, id: "a1", ts: "2026-11-30T10:00:00.000Z"))
        state.apply(alert(seq: 1, id: "a2", ts: "2026-11-30T10:05:00.000Z"))
        #expect(state.pending.count == 1)
        #expect(state.pending[0].startsAt == "2026-11-30T10:00:00.000Z")
        state.apply(alert(seq: 2, id: "a3", state: "resolved", ts: "2026-11-30T10:20:00.000Z"))
        #expect(state.open.isEmpty)
        #expect(state.pending.map(\.resolvedAt) == ["2026-11-30T10:20:00.000Z"])
        let round = state.pending
        state.delivered(round)
        #expect(state.isEmpty)
    }

    /// The labels include the severity, so a change is another alert to Alertmanager: the old one resolves.
    @Test func aSeverityChangeResolvesTheOldLabelSet() {
        var state = AlertmanagerState()
        state.apply(alert(seq: 0, id: "a1"))
        state.apply(alert(seq: 1, id: "a2", severity: "critical", ts: "2026-11-30T10:07:00.000Z"))
        let pending = state.pending
        #expect(pending.count == 2)
        #expect(pending.contains { $0.labels["severity"] == "critical" && $0.resolvedAt == nil })
        #expect(pending.contains { $0.labels["severity"] == "warning" && $0.resolvedAt == "2026-11-30T10:07:00.000Z" })
    }

    @Test func aResolutionForAnUnknownIncidentIsIgnored() {
        var state = AlertmanagerState()
        state.apply(alert(seq: 5, id: "r", state: "resolved"))
        #expect(state.isEmpty)
    }
}
