public import Foundation
import GiupXaModels
import GRDB

extension Outbox {
    /// The visit a person means by `text`: its full id, or the start of it (at least 4
    /// characters, case and hyphens ignored) when one visit alone starts so, as listings show
    /// ids by their first 8 characters.
    public func visitID(_ text: String, field: String = "id") throws -> UUID {
        if let full = UUID(uuidString: text) { return full }
        let wanted = text.uppercased().filter { $0 != "-" }
        guard wanted.count >= 4, wanted.allSatisfy(\.isHexDigit) else {
            throw ValidationError([FieldIssue(field: field, reason: .invalidFormat, value: String(text.prefix(40)), example: "4B216F91")])
        }
        let ids = try queue.read { db in try String.fetchAll(db, sql: "SELECT id FROM outbox_visit") }
        let matches = ids.filter { $0.uppercased().filter { $0 != "-" }.hasPrefix(wanted) }
        switch matches.count {
        case 1: return UUID(uuidString: matches[0])!
        case 0: throw ValidationError([FieldIssue(field: field, reason: .notFound, value: text)])
        default:
            throw ValidationError([FieldIssue(field: field, reason: .duplicate, value: text, detail: .init(
                vi: "nhiều chuyến công tác có mã bắt đầu bằng \(text): \(matches.prefix(5).map { String($0.prefix(13)) }.joined(separator: ", ")); hãy gõ thêm ký tự",
                en: "several visits have ids starting with \(text): \(matches.prefix(5).map { String($0.prefix(13)) }.joined(separator: ", ")); type more characters"))])
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
