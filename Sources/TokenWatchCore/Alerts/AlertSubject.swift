/// Who an alert is about: a person, an agent, or both.
public struct AlertSubject: Sendable, Hashable, Codable {
    public var user: String?
    public var agent: String?

    public init(user: String? = nil, agent: String? = nil) {
        self.user = user
        self.agent = agent
    }
}
