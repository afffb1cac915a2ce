import Crypto
import Foundation
import GiupXaModels

/// The canonical stored form of a visit: JSON with sorted keys and whole-second dates. Two
/// submissions are "identical" exactly when these bytes are, which makes resubmission
/// idempotent and a changed visit under the same id a detectable conflict.
enum VisitEncoding {
    static func body(_ visit: Visit, encoder: JSONEncoder) throws -> String {
        String(decoding: try encoder.encode(visit), as: UTF8.self)
    }

    /// The canonical form's settings. Changing them changes every digest: resubmissions of
    /// visits already stored would be taken for conflicts.
    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        return encoder
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
    static func owned(_ visit: Visit, by agency: String, encoder: JSONEncoder) throws -> (visit: Visit, body: String, digest: Data) {
        var owned = visit
        owned.agencyCode = agency
        let body = try self.body(owned, encoder: encoder)
        return (owned, body, digest(body))
    }

    /// `owned` for a batch, with one encoder.
    static func owned(_ visits: [Visit], by agency: String) throws -> [(visit: Visit, body: String, digest: Data)] {
        let encoder = makeEncoder()
        return try visits.map { try owned($0, by: agency, encoder: encoder) }
    }
}
