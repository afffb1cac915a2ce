import Crypto
import Foundation
import GiupXaMessages
import GiupXaModels
import SwiftProtobuf

/// The canonical stored form of a visit: the wire message `StoredVisit` holding the visit and
/// its agency code (PROTOCOL.md's `giupxa.v1.StoredVisit`, fields 1 and 4 only), serialized by
/// swift-protobuf, which writes fields in number order. Two submissions are "identical" exactly
/// when these bytes are, which makes resubmission idempotent and a changed visit under the same
/// id a detectable conflict. Until migration v5 the form was sorted-key JSON, whose encoder
/// was a quarter of the server's CPU on ingest (BENCHMARKS.md, "Ingest, 02/12/2026").
enum VisitEncoding {
    static func body(_ visit: Visit) throws -> Data {
        var stored = Giupxa_V1_StoredVisit()
        stored.visit = Giupxa_V1_Visit(visit)
        stored.agencyCode = visit.agencyCode
        return try stored.serializedBytes()
    }

    static func decode(_ body: Data) throws -> Visit {
        let stored = try Giupxa_V1_StoredVisit(serializedBytes: body)
        return try stored.visit.toModel(agencyCode: stored.agencyCode)
    }

    static func digest(_ body: Data) -> Data {
        Data(SHA256.hash(data: body))
    }

    /// The visit as filed by `agency`, with its canonical body and that body's digest:
    /// encoded outside the write transaction, so only the inserts are serialised.
    static func owned(_ visit: Visit, by agency: String) throws -> (visit: Visit, body: Data, digest: Data) {
        var owned = visit
        owned.agencyCode = agency
        let body = try self.body(owned)
        return (owned, body, digest(body))
    }

    /// `owned` for a batch.
    static func owned(_ visits: [Visit], by agency: String) throws -> [(visit: Visit, body: Data, digest: Data)] {
        try visits.map { try owned($0, by: agency) }
    }

    /// The form before migration v5 (JSON, sorted keys, whole-second dates), read only by it.
    static func decodeLegacyJSON(_ body: String) throws -> Visit {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(Visit.self, from: Data(body.utf8))
    }
}
