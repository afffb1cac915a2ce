import Crypto
import Foundation
public import GiupXaMessages
public import GiupXaModels
import SwiftProtobuf

/// The agency part of an agency dictionary (PROTOCOL.md §9.5): the agency's own most recent
/// acknowledged visits, which client and server both hold, appended to a published dictionary.
/// An agency's visits repeat its cadres, communes and phrasing far more than the province's
/// sample text does: against them one visit costs about a third of what it does against the
/// published dictionary alone.
///
/// Both ends build the same bytes from the same visits: each visit as a `Visit` message (the
/// generated code's serialization), oldest first, so the most recent sit nearest the data
/// (deflate's window sees only the last 32 KiB of a dictionary).
public struct AgencyDictionary: Sendable, Hashable {
    /// The most bytes an agency part may hold: deflate sees at most 32 KiB of it, LZMA2 all of it
    /// (the published dictionary plus this fit in its 256 KiB window).
    public static let maxBytes = 64 * 1024
    /// The most visits it may name (so the server's lookup stays small).
    public static let maxVisits = 255
    /// `ClientHello.compression_dictionary` names an agency dictionary as this bit plus the id of
    /// the published dictionary it extends: a server that knows nothing of §9.5 does not hold that
    /// id and refuses it, rather than decoding with the wrong bytes.
    public static let idFlag: UInt32 = 0x8000_0000

    /// How many visits the part holds.
    public let visits: Int
    /// The concatenated `Visit` messages, oldest first.
    public let part: [UInt8]
    /// The first 8 bytes of SHA-256 of `part`, sent in the HELLO.
    public let digest: [UInt8]

    /// The client's choice: as many of `newestFirst` (its acknowledged visits, most recent first
    /// by start time, then id) as fit in `maxBytes`. Nil when not even one does.
    public init?(newestFirst: [Visit]) {
        var messages: [[UInt8]] = []
        var total = 0
        for visit in newestFirst.prefix(Self.maxVisits) {
            let message = Self.message(visit)
            guard total + message.count <= Self.maxBytes else { break }
            messages.append(message)
            total += message.count
        }
        guard !messages.isEmpty else { return nil }
        self.init(messages: messages.reversed())
    }

    /// The server's copy: exactly `newestFirst` (the visits the client's HELLO counted). Nil if
    /// they exceed `maxBytes`, which the client's own choice never does.
    public init?(exactly newestFirst: [Visit]) {
        guard !newestFirst.isEmpty, newestFirst.count <= Self.maxVisits else { return nil }
        let messages = newestFirst.reversed().map(Self.message)
        guard messages.reduce(0, { $0 + $1.count }) <= Self.maxBytes else { return nil }
        self.init(messages: messages)
    }

    /// A part from serialized `Visit` messages, oldest first (test vectors carry them so).
    public init(messages: [[UInt8]]) {
        let part = Array(messages.joined())
        self.visits = messages.count
        self.part = part
        self.digest = Array(SHA256.hash(data: part).prefix(8))
    }

    private static func message(_ visit: Visit) -> [UInt8] {
        // Serializing a generated message without unknown fields cannot fail.
        (try? Giupxa_V1_Visit(visit).serializedBytes()) ?? []
    }

    /// What the HELLO says of it.
    public var hello: Giupxa_V1_AgencyDictionary {
        var hello = Giupxa_V1_AgencyDictionary()
        hello.visits = UInt32(visits)
        hello.sha256Prefix = Data(digest)
        return hello
    }

    /// Whether the HELLO's description is this part.
    public func matches(_ hello: Giupxa_V1_AgencyDictionary) -> Bool {
        Int(hello.visits) == visits && Array(hello.sha256Prefix) == digest
    }

    /// The dictionary both directions use once agreed: `base`'s bytes followed by the part,
    /// under the id `idFlag | base.id`.
    public func extending(_ base: CompressionDictionary) -> CompressionDictionary {
        CompressionDictionary(id: Self.idFlag | base.id, bytes: base.bytes + part)
    }

    /// The published dictionary an id of §9.5 extends, if it names one this implementation holds.
    public static func base(ofID id: UInt32) -> CompressionDictionary? {
        guard id & idFlag != 0 else { return nil }
        return CompressionDictionary.known(id & ~idFlag)
    }
}
