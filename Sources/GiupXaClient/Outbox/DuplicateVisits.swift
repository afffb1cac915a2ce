import Foundation
public import GiupXaModels

/// Two records of one visit: the same commune, times that overlap, and a cadre in common (names
/// compared without tones or case). Recorded twice by mistake, such a visit would be counted
/// twice by the report; `visit add` refuses it unless told it is really another visit.
public enum DuplicateVisits {
    public static func isDuplicate(_ a: Visit, _ b: Visit) -> Bool {
        guard a.id != b.id, a.communeCode == b.communeCode, a.start < b.end, b.start < a.end else { return false }
        let names = Set(a.cadres.map { VietnameseText.searchKey($0.name) })
        return b.cadres.contains { names.contains(VietnameseText.searchKey($0.name)) }
    }

    /// For each of `visits` that duplicates a recorded one or an earlier one of the same batch,
    /// its issue (field `start`, or `[i].start` for the i-th of several). A visit whose id is
    /// already recorded is the same record, not a duplicate: it is not checked.
    public static func issues(in visits: [Visit], recorded: [Visit]) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        let known = Set(recorded.map(\.id))
        for (index, visit) in visits.enumerated() where !known.contains(visit.id) {
            let earlier = recorded + visits[..<index]
            guard let twin = earlier.first(where: { isDuplicate(visit, $0) }) else { continue }
            let shared = twin.cadres.map(\.name).first { name in visit.cadres.contains { VietnameseText.searchKey($0.name) == VietnameseText.searchKey(name) } } ?? ""
            let when = "\(VietnameseFormat.dateTime(twin.start)) → \(VietnameseFormat.dateTime(twin.end))"
            let short = String(twin.id.uuidString.prefix(8))
            issues.append(FieldIssue(
                field: visits.count > 1 ? "[\(index)].start" : "start", reason: .duplicate, value: short,
                detail: .init(
                    vi: "trùng với chuyến công tác \(short) (\(when), cùng xã, cùng cán bộ \(shared)); nếu đúng là một chuyến khác, thêm --allow-duplicate",
                    en: "duplicates visit \(short) (\(when), same commune, same cadre \(shared)); if it really is another visit, add --allow-duplicate")))
        }
        return issues
    }
}
