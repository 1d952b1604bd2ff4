import Foundation

/// One journaled alert: what was (or should have been) published, with both of its sequence numbers.
public struct JournalEntry: Sendable, Equatable {
    public var seq: UInt64
    public var topic: String
    public var topicSequence: UInt32
    /// The alert payload, one JSON object.
    public var payload: String

    /// The journal line: `{"seq":…,"topic":"…","topic_seq":…,"alert":{…}}`.
    public var line: String {
        #"{"seq":\#(seq),"topic":"\#(topic)","topic_seq":\#(topicSequence),"alert":\#(payload)}"#
    }

    /// Reads a journal line back; `nil` if it is not one (a torn write).
    public init?(line: Substring) {
        guard line.hasPrefix(#"{"seq":"#), line.hasSuffix("}"),
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let seq = (object["seq"] as? NSNumber)?.uint64Value, let topic = object["topic"] as? String,
            let topicSequence = (object["topic_seq"] as? NSNumber)?.uint32Value,
            let alertStart = line.range(of: #","alert":"#)
        else { return nil }
        self.init(
            seq: seq, topic: topic, topicSequence: topicSequence,
            payload: String(line[alertStart.upperBound..<line.index(before: line.endIndex)]))
    }

    public init(seq: UInt64, topic: String, topicSequence: UInt32, payload: String) {
        self.seq = seq
        self.topic = topic
        self.topicSequence = topicSequence
        self.payload = payload
    }
}
