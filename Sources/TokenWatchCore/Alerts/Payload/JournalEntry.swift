/// One journaled alert: what was (or should have been) published, with both of its sequence numbers.
public struct JournalEntry: Sendable, Equatable {
    public var seq: UInt64
    public var topic: String
    public var topicSequence: UInt32
    /// The alert payload, one JSON object, byte for byte as published.
    public var payload: String

    /// The journal line: `{"seq":…,"topic":"…","topic_seq":…,"alert":{…}}`.
    public var line: String {
        #"{"seq":\#(seq),"topic":"\#(topic)","topic_seq":\#(topicSequence),"alert":\#(payload)}"#
    }

    public init(seq: UInt64, topic: String, topicSequence: UInt32, payload: String) {
        self.seq = seq
        self.topic = topic
        self.topicSequence = topicSequence
        self.payload = payload
    }

    /// Reads a journal line back; `nil` if it is not one (a torn write).
    public init?(line: Substring) {
        guard let (entry, _) = Self.parse(line) else { return nil }
        self = entry
    }

    /// Reads a journal line and the alert it holds from one parse; `nil` if the line is not one.
    public static func read(_ line: Substring) -> JournaledAlert? {
        guard line.hasPrefix(#"{"seq":"#), line.hasSuffix("}"), let object = try? JSONReader.read(line) else {
            return nil
        }
        return read(line, parsed: object)
    }

    /// A journal line read as part of a larger document (a catch-up reply): `object` is what `line` holds.
    package static func read(_ line: Substring, parsed object: JSONValue) -> JournaledAlert? {
        guard let entry = entry(line, object) else { return nil }
        guard let alert = object["alert"] else {
            let missing = AlertPayloadError(code: .missingKey, key: "alert", detail: "a journal line has one")
            return JournaledAlert(entry: entry, alert: .failure(missing))
        }
        return JournaledAlert(
            entry: entry,
            alert: Result { () throws(AlertPayloadError) -> AlertPayload in try AlertPayload(json: alert) })
    }

    /// The entry and the whole line as JSON.
    private static func parse(_ line: Substring) -> (JournalEntry, JSONValue)? {
        guard line.hasPrefix(#"{"seq":"#), line.hasSuffix("}"), let object = try? JSONReader.read(line),
            let entry = entry(line, object)
        else { return nil }
        return (entry, object)
    }

    /// The entry a line read as `object` holds. The payload is cut from the line rather than written again, so
    /// that it stays byte for byte what was published.
    private static func entry(_ line: Substring, _ object: JSONValue) -> JournalEntry? {
        guard case .number(let seqText)? = object["seq"], let seq = UInt64(seqText),
            case .string(let topic)? = object["topic"],
            case .number(let topicSequenceText)? = object["topic_seq"], let topicSequence = UInt32(topicSequenceText),
            line.hasPrefix(#"{"seq":"#), line.hasSuffix("}"), let alertStart = line.firstRange(of: #","alert":"#)
        else { return nil }
        let payload = String(line[alertStart.upperBound..<line.index(before: line.endIndex)])
        return JournalEntry(seq: seq, topic: topic, topicSequence: topicSequence, payload: payload)
    }
}

/// A journal line read back by a consumer: the entry, and its alert read in the same pass.
public struct JournaledAlert: Sendable {
    public var entry: JournalEntry
    /// The alert, or why the codec refused it.
    public var alert: Result<AlertPayload, AlertPayloadError>
}
