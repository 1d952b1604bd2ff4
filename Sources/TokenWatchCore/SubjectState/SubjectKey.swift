/// A key of a ``SubjectTable``: hashed by ``SubjectHash``, not by `Hasher`.
///
/// Why not `hashValue`: every event looks up its user, agent, parent, session and time zone in five tables,
/// about seven hashes per event on the detection thread. Through `Hasher` (SipHash-1-3, with its setup and
/// finalisation) each id of 3 to 17 bytes cost 36–48 ns here, about a tenth of detection; through
/// ``SubjectHash``, about 25 ns, most of it reaching the string's bytes.
protocol SubjectKey: Hashable, Sendable {
    var subjectHash: Int { get }
}

extension String: SubjectKey {
    var subjectHash: Int { Int(truncatingIfNeeded: SubjectHash.hash(self)) }
}
