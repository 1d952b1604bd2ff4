import TokenWatchSimulation

/// `seed` damaged a few times over, at random: a byte overwritten, the tail cut, one of `insertions` put in,
/// a byte removed, and, when `duplicating`, a prefix appended again. What the decoder's fuzz-like tests feed it.
func mutated(
    _ seed: [UInt8], insertions: [[UInt8]], times: ClosedRange<Int>, duplicating: Bool,
    using random: inout SeededRandom
) -> [UInt8] {
    var bytes = seed
    for _ in 0..<Int.random(in: times, using: &random) {
        let position = Int.random(in: 0..<max(bytes.count, 1), using: &random)
        switch Int.random(in: 0..<(duplicating ? 5 : 4), using: &random) {
        case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &random)
        case 1: bytes = Array(bytes.prefix(position))
        case 2: bytes.insert(contentsOf: random.pick(insertions), at: min(position, bytes.count))
        case 3 where duplicating: bytes += bytes.prefix(position)
        default: if !bytes.isEmpty { bytes.remove(at: min(position, bytes.count - 1)) }
        }
    }
    return bytes
}
