import Foundation
public import GiupXaModels

/// Two records of one visit: the same commune, times that overlap, and a cadre in common (names
/// compared without tones or case). Recorded twice by mistake, such a visit would be counted
/// twice by the report; `visit add` refuses it unless told it is really another visit.
public enum DuplicateVisits {
    static func cadreKeys(_ visit: Visit) -> Set<String> { Set(visit.cadres.map { VietnameseText.searchKey($0.name) }) }

    /// For each of `visits` that duplicates a recorded one or an earlier one of the same batch,
    /// its issue (field `start`, or `[i].start` for the i-th of several). A visit whose id is
    /// already recorded is the same record, not a duplicate: it is not checked. Each visit's
    /// names are keyed once, and only visits of the same commune are compared.
    public static func issues(in visits: [Visit], recorded: [Visit]) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        let known = Set(recorded.map(\.id))
        var byCommune: [String: [(visit: Visit, keys: Set<String>)]] = [:]
        for visit in recorded { byCommune[visit.communeCode, default: []].append((visit, cadreKeys(visit))) }
        for (index, visit) in visits.enumerated() {
            let keys = cadreKeys(visit)
            defer { byCommune[visit.communeCode, default: []].append((visit, keys)) }
            guard !known.contains(visit.id) else { continue }
            guard let (twin, twinKeys) = byCommune[visit.communeCode]?.first(where: {
                $0.visit.id != visit.id && visit.start < $0.visit.end && $0.visit.start < visit.end && !keys.isDisjoint(with: $0.keys)
            }) else { continue }
            let shared = twin.cadres.map(\.name).first { twinKeys.contains(VietnameseText.searchKey($0)) && keys.contains(VietnameseText.searchKey($0)) } ?? ""
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
