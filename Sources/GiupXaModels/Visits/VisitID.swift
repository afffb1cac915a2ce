public import Foundation

extension UUID {
    /// A new RFC 9562 version 7 UUID: 48 bits of Unix time in milliseconds, then 74 random bits.
    ///
    /// Visit ids are made this way (PROTOCOL.md §2.2 allows version 4 or 7) because ids that
    /// grow with time land next to each other in the server's indexes: a batch of new visits
    /// touches a few B-tree pages at the right edge instead of one random page per visit, which
    /// is what the write-ahead log pays for (BENCHMARKS.md, "Ingest").
    public static func version7(at date: Date = Date()) -> UUID {
        // A version 4 UUID supplies the random bits (122 of them); the time overwrites the first 48.
        var bytes = UUID().uuid
        let milliseconds = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
        bytes.0 = UInt8(truncatingIfNeeded: milliseconds >> 40)
        bytes.1 = UInt8(truncatingIfNeeded: milliseconds >> 32)
        bytes.2 = UInt8(truncatingIfNeeded: milliseconds >> 24)
        bytes.3 = UInt8(truncatingIfNeeded: milliseconds >> 16)
        bytes.4 = UInt8(truncatingIfNeeded: milliseconds >> 8)
        bytes.5 = UInt8(truncatingIfNeeded: milliseconds)
        bytes.6 = 0x70 | (bytes.6 & 0x0F)
        bytes.8 = 0x80 | (bytes.8 & 0x3F)
        return UUID(uuid: bytes)
    }

    /// The version field of an RFC 9562 UUID (4 for random, 7 for time-ordered).
    public var version: Int { Int(uuid.6 >> 4) }
}
