/// What TokenWatch reveals about people.
public struct PrivacyConfiguration: Sendable, Equatable {
    /// Replace user ids everywhere downstream of ingest (alerts, ids, checkpoints, journal) by a keyed
    /// pseudonym, HMAC-SHA256(key, user): consumers can tell alerts about the same person apart from others
    /// without learning who it is. Default false.
    public var pseudonymizeUsers = false
    /// The file holding the key (at least 32 bytes), read at start and on reload. Required when pseudonymising.
    public var keyFile = ""
    /// The key's bytes, filled in from `keyFile` by the runtime (the core reads no files).
    public var key: [UInt8] = []

    public init() {}
}

extension PrivacyConfiguration: DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [.bool("pseudonymize_users", \.pseudonymizeUsers), .text("key_file", \.keyFile, expecting: "a file path")]
    }

    func check(_ section: inout ConfigurationSection) {
        if pseudonymizeUsers && keyFile.isEmpty {
            section.reportMissing("key_file", "is required when pseudonymize_users is true")
        }
    }
}
