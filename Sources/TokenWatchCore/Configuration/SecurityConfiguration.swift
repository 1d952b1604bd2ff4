/// Encryption and authentication of the sockets.
public struct SecurityConfiguration: Sendable, Equatable {
    /// CURVE on the event, alert and catch-up sockets: encrypted, and only listed client keys admitted.
    public var curve = false
    /// The daemon's Z85 secret key file (`tokenwatch keygen` writes one).
    public var serverSecretKeyFile = ""
    /// Public keys (Z85) of the clients allowed to connect.
    public var allowedClientKeys: [String] = []
    /// A directory of `*.pub` files, each holding one allowed client's public key.
    public var allowedClientKeysDirectory = ""
    /// Binding a non-loopback address without CURVE is refused unless this is true. Default false.
    public var allowPlaintext = false
    /// Filled in by the runtime from the files above (the core reads no files).
    public var serverSecretKey = ""
    public var resolvedClientKeys: Set<String> = []

    public init() {}
}

extension SecurityConfiguration: DeclaredSettings {
    static var declaredKeys: [SettingKey<Self>] {
        [
            .bool("curve", \.curve),
            .text("server_secret_key_file", \.serverSecretKeyFile, expecting: "a file path"),
            .custom(
                "allowed_client_keys", \.allowedClientKeys,
                read: { settings, section in
                    // Appended to what the loader's defaults allow, not replacing it.
                    settings.allowedClientKeys +=
                        section.strings("allowed_client_keys", what: "a list of Z85 public keys") {
                            $0.utf8.count == 40 ? nil : "must be a 40-character Z85 public key"
                        } ?? []
                },
                lines: { ["allowed_client_keys: \(YAMLScalar.list($0.allowedClientKeys.map(YAMLScalar.quoted)))"] }),
            .text("allowed_client_keys_dir", \.allowedClientKeysDirectory, expecting: "a directory"),
            .bool("allow_plaintext", \.allowPlaintext),
        ]
    }

    func check(_ section: inout ConfigurationSection) {
        if curve && serverSecretKeyFile.isEmpty {
            section.reportMissing(
                "server_secret_key_file", "is required when curve is true (tokenwatch keygen PATH writes one)")
        }
    }
}
