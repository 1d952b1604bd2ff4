/// The ``SubjectHash`` of each id of an event that detection state is keyed by, worked out once per event.
///
/// Every event is looked up in about ten tables (its user in four detectors, its agent in the progress
/// measure and the loop detector, its session, its time zone, its team), and each lookup used to hash its ids again:
/// some thirteen hashes of the same few strings per event on the detection thread. The decoder has these
/// hashes already, from interning the ids (``IdentifierInterner``), so they travel with the event
/// (``DecodedEvent/keys``) and the tables take them as given. An absent id has the hash of the empty string,
/// as the tables key on `agent ?? ""`.
public struct EventKeys: Sendable, Equatable {
    var user: UInt64
    var agent: UInt64
    var parent: UInt64
    var session: UInt64
    var timeZone: UInt64
    var team: UInt64

    /// The hashes of `event`'s ids, worked out here.
    public init(of event: borrowing TokenEvent) {
        user = SubjectHash.hash(event.user)
        agent = event.agent.map(SubjectHash.hash) ?? Self.empty
        parent = event.parent.map(SubjectHash.hash) ?? Self.empty
        session = event.session.map(SubjectHash.hash) ?? Self.empty
        timeZone = event.timeZone.map(SubjectHash.hash) ?? Self.empty
        team = event.team.map(SubjectHash.hash) ?? Self.empty
    }

    init(user: UInt64, agent: UInt64?, parent: UInt64?, session: UInt64?, timeZone: UInt64?, team: UInt64?) {
        self.user = user
        self.agent = agent ?? Self.empty
        self.parent = parent ?? Self.empty
        self.session = session ?? Self.empty
        self.timeZone = timeZone ?? Self.empty
        self.team = team ?? Self.empty
    }

    static let empty = SubjectHash.hash("")

    /// Whether these are the hashes of `event`'s ids: what every use may assume, checked in debug builds.
    func match(_ event: TokenEvent) -> Bool { self == EventKeys(of: event) }
}
