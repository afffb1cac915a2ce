public import Foundation
public import GiupXaModels
import GRDB

/// Corrections. A visit not yet sent is simply replaced; a visit the server holds gets a
/// pending amendment made from the revision the server acknowledged, so the server can refuse
/// it if someone else corrected the visit in between.
extension Outbox {
    public enum AmendResult: String, Sendable, Codable {
        /// The visit had not been sent: the pending copy was replaced.
        case replacedPending
        /// A correction waits to be sent.
        case amendmentPending
    }

    public struct PendingAmendment: Sendable, Hashable {
        public var seq: Int64
        public var visit: Visit
        public var baseRevision: Int
    }

    public func amend(_ visit: Visit, now: Date = Date()) throws -> AmendResult {
        let body = try OutboxRecord.encode(visit)
        let id = visit.id.uuidString
        return try queue.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT state, revision FROM outbox_visit WHERE id = ?", arguments: [id]) else {
                throw ValidationError([FieldIssue(field: "id", reason: .notFound, value: id)])
            }
            let state = State(rawValue: row["state"]) ?? .pending
            switch state {
            case .pending, .rejected:
                // Nothing of it is on the server: correct it in place and (re)queue it.
                try db.execute(
                    sql: "UPDATE outbox_visit SET record = ?, commune_code = ?, start_at = ?, state = 'pending', message = NULL WHERE id = ?",
                    arguments: [body, visit.communeCode, Int64(visit.start.timeIntervalSince1970), id])
                return .replacedPending
            case .conflict:
                throw ValidationError([FieldIssue(field: "id", reason: .duplicate, value: id)])
            case .sent:
                let base: Int = row["revision"] ?? 1
                // A second correction before the first was sent replaces it, from the same base.
                try db.execute(sql: "DELETE FROM outbox_amendment WHERE visit_id = ? AND state = 'pending'", arguments: [id])
                try db.execute(
                    sql: "INSERT INTO outbox_amendment(visit_id, body, record, base_revision, recorded_at) VALUES (?, '', ?, ?, ?)",
                    arguments: [id, body, base, now.timeIntervalSince1970])
                return .amendmentPending
            }
        }
    }

    public func pendingAmendments() throws -> [PendingAmendment] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, record, base_revision FROM outbox_amendment WHERE state = 'pending' ORDER BY seq")
                .compactMap { row in
                    // A damaged correction is set aside (`damaged()` names it), not sent.
                    guard let visit = try? Self.visit(in: row) else { return nil }
                    return PendingAmendment(seq: row["seq"], visit: visit, baseRevision: row["base_revision"])
                }
        }
    }

    /// Records the server's answers; an accepted correction becomes the visit's local copy.
    public func recordAmendments(_ answers: [(amendment: PendingAmendment, ack: Acknowledgement)], now: Date = Date()) throws {
        try queue.write { db in
            for (amendment, ack) in answers {
                try db.execute(
                    sql: "UPDATE outbox_amendment SET state = ?, acknowledged_at = ?, revision = ?, message = ? WHERE seq = ?",
                    arguments: [ack.state.rawValue, now.timeIntervalSince1970, ack.revision, ack.message, amendment.seq])
                if ack.state == .sent {
                    let body = try OutboxRecord.encode(amendment.visit)
                    try db.execute(
                        sql: "UPDATE outbox_visit SET record = ?, commune_code = ?, start_at = ?, revision = ? WHERE id = ?",
                        arguments: [body, amendment.visit.communeCode, Int64(amendment.visit.start.timeIntervalSince1970),
                                    ack.revision, amendment.visit.id.uuidString])
                }
            }
        }
    }

    public func amendmentCounts() throws -> [State: Int] {
        try stateCounts(table: "outbox_amendment")
    }
}
