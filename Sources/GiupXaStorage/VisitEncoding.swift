import Crypto
import Foundation
import GiupXaModels

/// The canonical stored form of a visit: JSON with sorted keys and whole-second dates. Two
/// submissions are "identical" exactly when these bytes are, which makes resubmission
/// idempotent and a changed visit under the same id a detectable conflict.
enum VisitEncoding {
    static func body(_ visit: Visit) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: try encoder.encode(visit), as: UTF8.self)
    }

    static func decode(_ body: String) throws -> Visit {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(Visit.self, from: Data(body.utf8))
    }

    static func digest(_ body: String) -> Data {
        Data(SHA256.hash(data: Data(body.utf8)))
    }

    /// The visit as filed by `agency`, with its canonical body and that body's digest:
    /// encoded outside the write transaction, so only the inserts are serialised.
    static func owned(_ visit: Visit, by agency: String) throws -> (visit: Visit, body: String, digest: Data) {
        var owned = visit
        owned.agencyCode = agency
        let body = try self.body(owned)
        return (owned, body, digest(body))
    }
}
