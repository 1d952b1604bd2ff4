#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which receiver URLs `forward` refuses unless a key allows them: those that carry a user and password
/// (`http://user:pass@host/`: the secret would sit in every log and ps listing that shows the URL), and those
/// whose host is a link-local address or a cloud's metadata service (`169.254.0.0/16`, `fe80::/10`, AWS's
/// `fd00:ec2::254`, Alibaba's `100.100.100.200`, `metadata.google.internal` and its kin): a forwarder told to
/// POST there, by a mistake or by someone who can edit its configuration, would be reading or writing the
/// host's credentials. IPv4 hosts are read as the resolver reads them, so `2852039166` and `0xa9.0xfe.0xa9.0xfe`
/// are 169.254.169.254 too; IPv4-mapped IPv6 (`::ffff:169.254.1.1`) counts as its IPv4 address. Names that
/// resolve to such an address are not looked up: the configuration is checked as written.
public enum ReceiverTarget {
    /// Why `url` is refused, or `nil`. The message never repeats a user or password.
    public static func problem(_ url: String, allowLinkLocal: Bool, allowCredentials: Bool) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { !"/?#".contains($0) }
        if !allowCredentials, authority.contains("@") {
            return "carries a user or password (user:pass@); allowed only with forward.allow_url_credentials: true"
        }
        let host = Self.host(in: authority.split(separator: "@", omittingEmptySubsequences: false).last ?? "")
        if !allowLinkLocal, isLinkLocalOrMetadata(host) {
            return "'\(host)' is a link-local or cloud metadata address; "
                + "allowed only with forward.allow_link_local_targets: true"
        }
        return nil
    }

    /// The host of `host[:port]` or `[ipv6]:port`, brackets removed.
    static func host(in hostPort: Substring) -> String {
        if hostPort.hasPrefix("[") {
            return String(hostPort.dropFirst().prefix { $0 != "]" })
        }
        return String(hostPort.prefix { $0 != ":" })
    }

    static let metadataNames: Set<String> = [
        "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
    ]

    static func isLinkLocalOrMetadata(_ host: String) -> Bool {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if metadataNames.contains(name) { return true }
        if let address = ipv4(name) { return isLinkLocalOrMetadata(ipv4: address) }
        guard let bytes = ipv6(name) else { return false }
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10
        if bytes == [0xFD, 0, 0x0E, 0xC2] + Array(repeating: 0, count: 10) + [0x02, 0x54] { return true }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return isLinkLocalOrMetadata(ipv4: bytes[12...].reduce(0) { $0 << 8 | UInt32($1) })
        }
        return false
    }

    static func isLinkLocalOrMetadata(ipv4 address: UInt32) -> Bool {
        address >> 16 == 0xA9FE || address == 0x6464_64C8  // 169.254.0.0/16, 100.100.100.200
    }

    /// An IPv4 address in any form `inet_aton` takes (one to four parts, each decimal, octal with a leading 0,
    /// or hexadecimal with 0x), which is what the resolver will connect to.
    static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            let lower = part.lowercased()
            let value: UInt64?
            if lower.hasPrefix("0x") {
                value = UInt64(lower.dropFirst(2), radix: 16)
            } else if lower.hasPrefix("0") && lower.count > 1 {
                value = UInt64(lower.dropFirst(), radix: 8)
            } else {
                value = lower.allSatisfy(\.isASCII) ? UInt64(lower, radix: 10) : nil
            }
            guard let value, !lower.isEmpty else { return nil }
            values.append(value)
        }
        let leading = values.dropLast()
        guard leading.allSatisfy({ $0 <= 0xFF }), let last = values.last else { return nil }
        let lastBits = 8 * (5 - values.count)
        guard last < (UInt64(1) << lastBits) else { return nil }
        let high = leading.enumerated().reduce(UInt64(0)) { $0 | $1.element << (8 * (3 - $1.offset)) }
        return UInt32(high | last)
    }

    /// The 16 bytes of an IPv6 address, a zone (`%eth0`, `%25eth0`) ignored.
    static func ipv6(_ text: String) -> [UInt8]? {
        let address = String(text.prefix { $0 != "%" })
        guard address.contains(":") else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        let parsed = bytes.withUnsafeMutableBytes { inet_pton(AF_INET6, address, $0.baseAddress) }
        return parsed == 1 ? bytes : nil
    }
}
