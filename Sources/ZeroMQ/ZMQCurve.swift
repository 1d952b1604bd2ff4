import CZeroMQ

/// CURVE keys (Z85 text, 40 characters) and the socket options that use them.
public enum ZMQCurve {
    /// Whether this libzmq was built with CURVE (libsodium).
    public static var isAvailable: Bool { zmq_has("curve") == 1 }

    /// A new key pair.
    public static func keyPair() throws -> (publicKey: String, secretKey: String) {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
        return (string(publicKey), string(secretKey))
    }

    /// The public key that belongs to a secret key.
    public static func publicKey(forSecret secret: String) throws -> String {
        var publicKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicKey, secret) == 0 else { throw ZMQError.last("zmq_curve_public") }
        return string(publicKey)
    }

    /// Z85 text of 32 raw key bytes (as ZAP hands a client's key over).
    public static func z85(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 32 else { return nil }
        var text = [CChar](repeating: 0, count: 41)
        guard zmq_z85_encode(&text, bytes, 32) != nil else { return nil }
        return string(text)
    }

    /// Whether `text` is a well-formed Z85 key.
    public static func isKey(_ text: String) -> Bool {
        guard text.utf8.count == 40 else { return false }
        var bytes = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&bytes, text) != nil
    }

    private static func string(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension ZMQSocket {
    /// Makes this socket a CURVE server with `secretKey`; connecting peers are then checked by the ZAP handler
    /// of the context for `domain`.
    public func makeCurveServer(secretKey: String, domain: String) throws {
        try setIntOption(ZMQ_CURVE_SERVER, 1, name: "ZMQ_CURVE_SERVER")
        try setBytesOption(ZMQ_CURVE_SECRETKEY, Array(secretKey.utf8), name: "ZMQ_CURVE_SECRETKEY")
        try setBytesOption(ZMQ_ZAP_DOMAIN, Array(domain.utf8), name: "ZMQ_ZAP_DOMAIN")
    }

    /// Makes this socket a CURVE client of the server whose public key is `serverKey`.
    public func makeCurveClient(serverKey: String, publicKey: String, secretKey: String) throws {
        try setBytesOption(ZMQ_CURVE_SERVERKEY, Array(serverKey.utf8), name: "ZMQ_CURVE_SERVERKEY")
        try setBytesOption(ZMQ_CURVE_PUBLICKEY, Array(publicKey.utf8), name: "ZMQ_CURVE_PUBLICKEY")
        try setBytesOption(ZMQ_CURVE_SECRETKEY, Array(secretKey.utf8), name: "ZMQ_CURVE_SECRETKEY")
    }
}
