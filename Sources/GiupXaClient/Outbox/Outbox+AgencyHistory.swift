public import Foundation
public import GiupXaModels
import GRDB

/// What an agency dictionary (PROTOCOL.md §9.5) needs from the client's store: the visits the
/// server acknowledged, and a memory of the server's refusals (another device sharing the
/// credential filed visits this one lacks, or an answer was lost in a cut): a refused part is
/// never offered again, and after `AgencyHistoryMemory.maxRefusals` refusals in a row only one
/// offer a week is made, so a device whose copy keeps disagreeing wastes little.
public protocol AgencyHistory: Sendable {
    /// Acknowledged visits (latest revision), most recent first by start time then id.
    func acknowledgedVisits(newestFirst limit: Int) throws -> [Visit]
    /// Whether to offer a part with this digest.
    func shouldOfferAgencyDictionary(digest: [UInt8], now: Date) throws -> Bool
    /// The server refused the part with this digest, or (`accepted`) took it.
    func recordAgencyDictionary(digest: [UInt8], accepted: Bool, now: Date) throws
}

enum AgencyHistoryMemory {
    static let maxRefusals = 3
    static let retryAfter: TimeInterval = 7 * 86_400
    static let refusedKey = "agency_dictionary_refused"
    static let refusalsKey = "agency_dictionary_refusals"
    static let refusedAtKey = "agency_dictionary_refused_at"
    static let keys = [refusedKey, refusalsKey, refusedAtKey]
}

extension Outbox: AgencyHistory {
    public func acknowledgedVisits(newestFirst limit: Int) throws -> [Visit] {
        try queue.read { db in
            // Ids are stored as uppercase UUID text, ordered as the server orders them.
            // A damaged row is left out: the server then does not share this part, and says so.
            try Row.fetchAll(
                db, sql: "SELECT record FROM outbox_visit WHERE state = 'sent' ORDER BY start_at DESC, id DESC LIMIT ?",
                arguments: [limit]
            ).compactMap { try? Self.visit(in: $0) }
        }
    }

    public func shouldOfferAgencyDictionary(digest: [UInt8], now: Date) throws -> Bool {
        try queue.read { db in
            let memory = try Self.refusalMemory(db)
            guard memory.refused != Self.hex(digest) else { return false }
            return memory.refusals < AgencyHistoryMemory.maxRefusals
                || now.timeIntervalSince1970 - memory.refusedAt >= AgencyHistoryMemory.retryAfter
        }
    }

    public func recordAgencyDictionary(digest: [UInt8], accepted: Bool, now: Date) throws {
        // The usual case, an accepted part with nothing remembered, writes nothing.
        if accepted, try queue.read({ db in try Self.refusalMemory(db).refusals }) == 0 { return }
        try queue.write { db in
            let keys = AgencyHistoryMemory.keys
            if accepted {
                try db.execute(sql: "DELETE FROM meta WHERE key IN (?, ?, ?)", arguments: StatementArguments(keys))
                return
            }
            let refusals = try Self.refusalMemory(db).refusals
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?), (?, ?), (?, ?)", arguments: [
                keys[0], Self.hex(digest), keys[1], String(refusals + 1), keys[2], String(now.timeIntervalSince1970),
            ])
        }
    }

    /// The last refused part's digest, refusals in a row, and when the last one was.
    private static func refusalMemory(_ db: Database) throws -> (refused: String?, refusals: Int, refusedAt: Double) {
        let value = { (key: String) in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
        return (try value(AgencyHistoryMemory.refusedKey),
                try value(AgencyHistoryMemory.refusalsKey).flatMap { Int($0) } ?? 0,
                try value(AgencyHistoryMemory.refusedAtKey).flatMap { Double($0) } ?? 0)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
