import Foundation
import LoopbackHTTPServer
import Testing
import TokenWatchCore

@testable import TokenWatchForward

/// `forward`'s Alertmanager rounds against a loopback server that validates each alert as Alertmanager's
/// `POST /api/v2/alerts` does ("start time must be before end time"), and refuses, as a stand-in for any alert
/// it will never take, those of the user `refuse-me`. A batch holding one bad alert is refused whole (400).
@Suite struct AlertmanagerDeliveryTests {
    static func problem(_ alert: [String: Any]) -> String? {
        let labels = alert["labels"] as? [String: String] ?? [:]
        if labels["user"] == "refuse-me" { return "refusing \(labels)" }
        guard let starts = (alert["startsAt"] as? String).flatMap(AlertmanagerClock.date),
            let ends = (alert["endsAt"] as? String).flatMap(AlertmanagerClock.date)
        else { return "bad times" }
        return ends < starts ? "start time must be before end time" : nil
    }

    static func alerts(in request: LoopbackHTTPServer.Request) -> [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [[String: Any]] ?? []
    }

    static func accepts(_ request: LoopbackHTTPServer.Request) -> Bool {
        alerts(in: request).allSatisfy { problem($0) == nil }
    }

    static func fakeAlertmanager() throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer { request in
            let problems = alerts(in: request).compactMap(problem)
            return problems.isEmpty
                ? .answer(status: 200) : .answer(status: 400, body: problems.joined(separator: "; "))
        }
    }

    static func pendingIncidents(_ directory: URL) throws -> [String] {
        let state = try JSONDecoder().decode(
            AlertmanagerState.self, from: Data(contentsOf: directory.appendingPathComponent("alerts.json")))
        return state.pending.map { ($0.labels["incident"] ?? "") + ($0.resolvedAt == nil ? "" : "/resolved") }
    }

    func clock(_ offset: TimeInterval) -> String { AlertmanagerClock.text(Date().addingTimeInterval(offset)) }

    func userAlert(_ seq: UInt64, _ incident: String, user: String, state: String = "firing", at offset: TimeInterval)
        -> ForwardedAlert
    {
        let payload =
            #"{"id":"\#(incident)-\#(seq)","incident":"\#(incident)","detector":"agent_loop","severity":"warning","#
            + #""state":"\#(state)","subject":{"user":"\#(user)"},"ts":"\#(clock(offset))","summary":"s"}"#
        return ForwardedAlert(seq: seq, topic: "alert.agent_loop.warning", payload: payload)!
    }

    func sink(_ server: LoopbackHTTPServer, directory: URL) -> AlertmanagerReceiver {
        AlertmanagerReceiver(
            name: "alertmanager-0", baseURL: server.url, resendInterval: .seconds(60), directory: directory)
    }

    /// An incident stamped 3.5 min ahead of the wall clock (inside `events.max_future`) that resolves: its
    /// `startsAt` is sent as now at the latest and its `endsAt` after it, so the batch is accepted and the
    /// resolutions in it are done.
    @Test func anIncidentAheadOfTheClockIsAcceptedWithItsBatch() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try Self.fakeAlertmanager()
        defer { server.close() }
        let delivery = HTTPDelivery(timeout: .seconds(30))
        let letters = try DeadLetters(directory: directory.appendingPathComponent("dead-letters"), limit: 10)
        let alertmanager = sink(server, directory: directory)
        try alertmanager.stage(userAlert(0, "open", user: "alice", at: -60), order: 1)
        try alertmanager.stage(userAlert(1, "ahead", user: "bob", at: 210), order: 2)
        try alertmanager.stage(userAlert(2, "ahead", user: "bob", state: "resolved", at: 215), order: 3)
        try alertmanager.stage(userAlert(3, "done", user: "carol", at: -120), order: 4)
        try alertmanager.stage(userAlert(4, "done", user: "carol", state: "resolved", at: -30), order: 5)
        let loop = delivering(
            alertmanager, delivery: delivery, settings: testReceiverSettings().1, deadLetters: letters)
        try await eventually("both resolutions accepted", timeout: .seconds(60)) {
            try Self.pendingIncidents(directory) == ["open"]
        }
        loop.cancel()
        let accepted = try #require(server.requests.first(where: Self.accepts))
        let ahead = try #require(
            Self.alerts(in: accepted).first { ($0["labels"] as? [String: String])?["user"] == "bob" })
        let starts = try #require((ahead["startsAt"] as? String).flatMap(AlertmanagerClock.date))
        let ends = try #require((ahead["endsAt"] as? String).flatMap(AlertmanagerClock.date))
        #expect(starts <= Date())
        #expect(ends > starts)
        await delivery.shutdown()
    }

    /// A batch refused with 400 is split until the refused alert stands alone: only it is given up, the
    /// others are delivered (the resolution among them is done) and it is not sent again.
    @Test func aRefusedAlertIsSplitOffItsBatch() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try Self.fakeAlertmanager()
        defer { server.close() }
        let delivery = HTTPDelivery(timeout: .seconds(30))
        let letters = try DeadLetters(directory: directory.appendingPathComponent("dead-letters"), limit: 10)
        let alertmanager = sink(server, directory: directory)
        try alertmanager.stage(userAlert(0, "open", user: "alice", at: -60), order: 1)
        try alertmanager.stage(userAlert(1, "refused", user: "refuse-me", at: -50), order: 2)
        try alertmanager.stage(userAlert(2, "done", user: "carol", at: -120), order: 3)
        try alertmanager.stage(userAlert(3, "done", user: "carol", state: "resolved", at: -30), order: 4)
        let loop = delivering(
            alertmanager, delivery: delivery, settings: testReceiverSettings().1, deadLetters: letters)
        try await eventually("the refused alert split off", timeout: .seconds(60)) {
            try Self.pendingIncidents(directory) == ["open"]
        }
        loop.cancel()
        let delivered = server.requests.filter(Self.accepts).flatMap(Self.alerts)
            .map { ($0["labels"] as? [String: String])?["incident"] ?? "" }
        #expect(Set(delivered) == ["open", "done"])
        let kept = try #require(letters.files().first)
        let letter = try JSONSerialization.jsonObject(with: Data(contentsOf: kept)) as? [String: Any]
        #expect(letters.files().count == 1)
        #expect(letter?["id"] as? String == "refused-1")
        #expect(letter?["reason"] as? String == "refused")
        #expect(letter?["detail"] as? String == "HTTP 400")
        await delivery.shutdown()
    }
}
