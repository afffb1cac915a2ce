public import Foundation
public import GiupXaModels
import GRDB

/// What an agency dictionary (PROTOCOL.md §9.5) needs from the client's store: the visits the
/// server acknowledged, and a memory of the server's refusals (another device of the agency
/// filed visits this one lacks, or an answer was lost in a cut): a refused part is never
/// offered again, and after `AgencyHistoryMemory.maxRefusals` refusals in a row none is.
public protocol AgencyHistory: Sendable {
    /// Acknowledged visits (latest revision), most recent first by start time then id.
    func acknowledgedVisits(newestFirst limit: Int) throws -> [Visit]
    /// Whether to offer a part with this digest.
    func shouldOfferAgencyDictionary(digest: [UInt8]) throws -> Bool
    /// The server refused the part with this digest, or (`accepted`) took it.
    func recordAgencyDictionary(digest: [UInt8], accepted: Bool) throws
}

enum AgencyHistoryMemory {
    static let maxRefusals = 3
    static let refusedKey = "agency_dictionary_refused"
    static let refusalsKey = "agency_dictionary_refusals"
}

extension Outbox: AgencyHistory {
    public func acknowledgedVisits(newestFirst limit: Int) throws -> [Visit] {
        try queue.read { db in
            // Ids are stored as uppercase UUID text, ordered as the server orders them.
            try String.fetchAll(
                db, sql: "SELECT body FROM outbox_visit WHERE state = 'sent' ORDER BY start_at DESC, id DESC LIMIT ?",
                arguments: [limit]
            ).map { try Self.decoder.decode(Visit.self, from: Data($0.utf8)) }
        }
    }

    public func shouldOfferAgencyDictionary(digest: [UInt8]) throws -> Bool {
        try queue.read { db in
            let refused = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [AgencyHistoryMemory.refusedKey])
            let refusals = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [AgencyHistoryMemory.refusalsKey])
                .flatMap { Int($0) } ?? 0
            return refused != Self.hex(digest) && refusals < AgencyHistoryMemory.maxRefusals
        }
    }

    public func recordAgencyDictionary(digest: [UInt8], accepted: Bool) throws {
        // The usual case, an accepted part with nothing remembered, writes nothing.
        if accepted, try queue.read({ db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM meta WHERE key IN (?, ?)", arguments: [
            AgencyHistoryMemory.refusedKey, AgencyHistoryMemory.refusalsKey]) }) == 0 {
            return
        }
        try queue.write { db in
            if accepted {
                try db.execute(sql: "DELETE FROM meta WHERE key IN (?, ?)", arguments: [AgencyHistoryMemory.refusedKey, AgencyHistoryMemory.refusalsKey])
                return
            }
            let refusals = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [AgencyHistoryMemory.refusalsKey])
                .flatMap { Int($0) } ?? 0
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?), (?, ?)", arguments: [
                AgencyHistoryMemory.refusedKey, Self.hex(digest), AgencyHistoryMemory.refusalsKey, String(refusals + 1),
            ])
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
