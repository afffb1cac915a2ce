public import Foundation
import GiupXaModels
import GRDB

extension Outbox {
    /// The visit a person means by `text`: its full id, or a prefix of exactly one (`VisitReference`).
    public func visitID(_ text: String, field: String = "id") throws -> UUID {
        switch try VisitReference.parse(text, field: field) {
        case .full(let id): return id
        case .prefix(let wanted):
            let ids = try queue.read { db in try String.fetchAll(db, sql: "SELECT id FROM outbox_visit") }
            return try VisitReference.pick(text, among: ids.filter { $0.hasPrefix(wanted) }.compactMap(UUID.init(uuidString:)), field: field)
        }
    }

    /// Removes a visit not yet sent. A visit the server holds is corrected, not removed: the
    /// return value is false then, and for an unknown id.
    public func discard(_ id: UUID) throws -> Bool {
        try queue.write { db in
            try db.execute(sql: "DELETE FROM outbox_visit WHERE id = ? AND state = ?", arguments: [id.uuidString, State.pending.rawValue])
            return db.changesCount == 1
        }
    }
}
