import Logging
import TokenWatchCore

/// Publishes what the detection thread produced: every alert is journaled first, then sent, so an alert
/// the socket refuses is still there for catch-up. Lives on the detection thread.
struct AlertDelivery {
    let publisher: AlertPublisher
    let journal: AlertJournal
    let logger: Logger

    /// Journals and sends the engine's alerts, in order, and commits the journal.
    func publishAlerts(_ work: inout DetectionWorkingSet) {
        for alert in work.alerts {
            let kind = AlertKind(
                detector: alert.detector.rawValue,
                severity: alert.state == .firing ? alert.severity.rawValue : "resolved")
            publish(
                topic: alert.topic, payload: alert.jsonPayload, id: alert.id, seq: alert.seq, kind: kind, &work.totals)
        }
        work.alerts.removeAll(keepingCapacity: true)
        journal.commit()
    }

    /// Numbers, journals and sends the alerts about the daemon itself (a failed reload).
    func publishOperational(_ work: inout DetectionWorkingSet) {
        for var alert in work.operational {
            alert.seq = work.engine.takeSequenceNumber()
            publish(
                topic: alert.topic, payload: alert.jsonPayload, id: alert.id, seq: alert.seq,
                kind: AlertKind(detector: "tokenwatch", severity: alert.severity.rawValue), &work.totals)
        }
        work.operational.removeAll()
        journal.commit()
    }

    private func publish(
        topic: String, payload: String, id: String, seq: UInt64, kind: AlertKind, _ totals: inout PipelineStatistics
    ) {
        let topicSequence = journal.nextTopicSequence(topic)
        journal.append(JournalEntry(seq: seq, topic: topic, topicSequence: topicSequence, payload: payload))
        do {
            if try publisher.publish(topic: topic, payload: payload, topicSequence: topicSequence) {
                totals.alertsPublished[kind, default: 0] += 1
                logger.notice("alert", metadata: ["topic": "\(topic)", "id": "\(id)", "seq": "\(seq)"])
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
