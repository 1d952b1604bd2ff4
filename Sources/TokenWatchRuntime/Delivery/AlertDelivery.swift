import Logging
import TokenWatchCore

/// Publishes what the detection thread produced, journaled first: an alert is sent only once the journal
/// has it in its file, so that every alert a consumer sees can be fetched again by catch-up. While the
/// journal cannot write (a full disk, no file descriptors), alerts wait in ``unsent``, up to ``maxUnsent``,
/// and go out in order once it can. Without a state directory the journal is memory only and nothing waits.
/// Lives on the detection thread.
struct AlertDelivery {
    let publisher: AlertPublisher
    let journal: AlertJournal
    let logger: Logger
    /// Alerts journaled (or waiting for the journal) and not yet sent, in order.
    private(set) var unsent: [Unsent] = []
    /// Alerts about the daemon itself, waiting for the detector alerts before them to be sent.
    private(set) var operational: [OperationalAlert] = []
    /// The next sequence frame of each operational alert topic (not journaled, so counted from 0 per start).
    private var operationalSequences: [String: UInt32] = [:]

    init(publisher: AlertPublisher, journal: AlertJournal, logger: Logger) {
        self.publisher = publisher
        self.journal = journal
        self.logger = logger
    }

    /// Alerts waiting for the journal beyond this are sent unjournaled, oldest first, and counted
    /// (`tokenwatch_alerts_unjournaled_total`): the daemon must not hold detection back for its disk.
    static let maxUnsent = 10_000

    /// An alert journaled (or waiting to be) and not yet sent.
    struct Unsent {
        var entry: JournalEntry
        var kind: AlertKind
        var id: String
    }

    /// Journals the engine's alerts, in order, and empties `alerts`; then sends every alert the journal has
    /// written.
    mutating func publishAlerts(_ alerts: inout [Alert], totals: inout PipelineStatistics) {
        for alert in alerts {
            let kind = AlertKind(
                detector: alert.detector.rawValue,
                severity: alert.state == .firing ? alert.severity.rawValue : "resolved")
            journalAndQueue(topic: alert.topic, payload: alert.jsonPayload, id: alert.id, seq: alert.seq, kind: kind)
        }
        alerts.removeAll(keepingCapacity: true)
        sendJournaled(&totals)
    }

    /// Queues alerts about the daemon itself (a failed reload), for ``publishOperational(totals:)``.
    mutating func queue(_ alerts: [OperationalAlert]) {
        operational += alerts
    }

    /// Sends the alerts about the daemon itself: after the detector alerts waiting, not journaled, with no
    /// `seq` (see ``OperationalAlert``).
    mutating func publishOperational(totals: inout PipelineStatistics) {
        guard !operational.isEmpty, unsent.isEmpty else { return }
        for alert in operational {
            let sequence = operationalSequences[alert.topic, default: 0]
            operationalSequences[alert.topic] = sequence &+ 1
            send(
                topic: alert.topic, payload: alert.jsonPayload, topicSequence: sequence, seq: nil, id: alert.id,
                kind: AlertKind(detector: "tokenwatch", severity: alert.severity.rawValue), &totals)
        }
        operational.removeAll()
    }

    private mutating func journalAndQueue(topic: String, payload: String, id: String, seq: UInt64, kind: AlertKind) {
        let entry = JournalEntry(
            seq: seq, topic: topic, topicSequence: journal.nextTopicSequence(topic), payload: payload)
        journal.append(entry)
        unsent.append(Unsent(entry: entry, kind: kind, id: id))
    }

    /// Sends what waits, once the journal has written it; past ``maxUnsent`` the oldest go unjournaled.
    private mutating func sendJournaled(_ totals: inout PipelineStatistics) {
        guard !unsent.isEmpty else { return }
        if journal.commit() {
            for unsent in unsent { send(unsent, &totals) }
            unsent.removeAll(keepingCapacity: true)
        } else if unsent.count > Self.maxUnsent {
            let overflow = unsent.count - Self.maxUnsent
            for unsent in unsent.prefix(overflow) { send(unsent, &totals) }
            unsent.removeFirst(overflow)
            totals.alertsUnjournaled += UInt64(overflow)
        }
        totals.alertsAwaitingJournal = unsent.count
    }

    private func send(_ unsent: Unsent, _ totals: inout PipelineStatistics) {
        let entry = unsent.entry
        send(
            topic: entry.topic, payload: entry.payload, topicSequence: entry.topicSequence, seq: entry.seq,
            id: unsent.id, kind: unsent.kind, &totals)
    }

    /// Sends one alert; `seq` is `nil` for an operational alert, which has none.
    private func send(
        topic: String, payload: String, topicSequence: UInt32, seq: UInt64?, id: String, kind: AlertKind,
        _ totals: inout PipelineStatistics
    ) {
        do {
            if try publisher.publish(topic: topic, payload: payload, topicSequence: topicSequence) {
                totals.alertsPublished[kind, default: 0] += 1
                var metadata: Logger.Metadata = ["topic": "\(topic)", "id": "\(id)"]
                if let seq { metadata["seq"] = "\(seq)" }
                logger.notice("alert", metadata: metadata)
            } else {
                totals.alertsDropped += 1
                logger.warning(
                    "alert not sent: the alert socket refused it", metadata: ["topic": "\(topic)", "id": "\(id)"])
            }
        } catch {
            totals.alertsDropped += 1
            logger.error(
                "alert could not be sent", metadata: ["topic": "\(topic)", "id": "\(id)", "error": "\(error)"])
        }
    }
}
