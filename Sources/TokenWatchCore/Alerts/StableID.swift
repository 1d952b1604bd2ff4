/// Deterministic 16-hex-digit ids from stable text (FNV-1a 64), equal in every process and replica.
public enum StableID {
    public static func make(_ text: String) -> String {
        let hex = String(FNV1a.hash(text), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
