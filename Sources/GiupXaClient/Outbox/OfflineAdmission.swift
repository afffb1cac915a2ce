public import Foundation
public import GiupXaModels

/// What a device can tell about a visit before the server sees it: whether its commune exists,
/// and whether the agency's cached assignments let it file the visit on its days, by the
/// decision in force (`Decision.inForce`) as far as the cache shows the decisions. The server
/// decides in the end; this spares a cadre in the commune a refusal discovered only at sync.
public struct OfflineAdmission: Sendable {
    public enum Verdict: Sendable, Hashable {
        case admitted
        /// No assignments cached yet: the commune exists, the rest is for the server.
        case unchecked
        case refused(FieldIssue)
    }

    let assignments: [Outbox.CachedAssignment]
    let hasCache: Bool
    let decisions: [Decision]

    public init(assignments: [Outbox.CachedAssignment], fetchedAt: Date?) {
        self.assignments = assignments
        self.hasCache = fetchedAt != nil
        self.decisions = Outbox.CachedAssignment.decisions(in: assignments)
    }

    public func check(_ visit: Visit, field: String = "commune") -> Verdict {
        let code = visit.communeCode
        guard Commune.isValidCode(code) else { return .admitted }  // the validator names a bad format
        guard let commune = DefaultData.communes.first(where: { $0.code == code }) else {
            return .refused(FieldIssue(field: field, reason: .unknownCommune, value: code))
        }
        guard hasCache else { return .unchecked }
        let named = "\(code) \(commune.name)"
        let mine = assignments.filter { $0.communeCode == code }
        guard !mine.isEmpty else {
            let yours = Dictionary(assignments.map { ($0.communeCode, $0.communeName) }, uniquingKeysWith: { a, _ in a })
                .sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return .refused(FieldIssue(field: field, reason: .notFound, value: code, detail: .init(
                vi: "xã \(named) không được phân công cho cơ quan; các xã được phân công: \(yours.isEmpty ? "(không có)" : yours)",
                en: "commune \(named) is not assigned to your agency; yours are: \(yours.isEmpty ? "(none)" : yours)")))
        }
        let first = CivilDate(visit.start), last = CivilDate(visit.end)
        let periods = mine.map { "\($0.period.start)–\($0.period.end)" }.joined(separator: ", ")
        guard mine.contains(where: { $0.period.contains(first) && $0.period.contains(last) }) else {
            return .refused(FieldIssue(field: "start", reason: .notFound, value: code, detail: .init(
                vi: "xã \(named) được phân công cho cơ quan trong \(periods), không phải trong thời gian chuyến công tác \(first)–\(last)",
                en: "commune \(named) is assigned to your agency for \(periods), not for the visit's days \(first)–\(last)")))
        }
        if let inForce = Decision.inForce(on: first, among: decisions),
           !mine.contains(where: { $0.decisionNumber == inForce.number && $0.period.contains(last) })
        {
            return .refused(FieldIssue(field: "start", reason: .notFound, value: code, detail: .init(
                vi: "quyết định \(inForce.number), có hiệu lực từ \(inForce.period.start), không còn phân công xã \(named) cho cơ quan",
                en: "decision \(inForce.number), in force from \(inForce.period.start), no longer assigns commune \(named) to your agency")))
        }
        return .admitted
    }
}

extension Outbox.CachedAssignment {
    /// The decisions a cache shows, with their periods. Not their signing dates: a tie of two
    /// decisions starting the same day goes by number here, and the server decides.
    public static func decisions(in assignments: [Outbox.CachedAssignment]) -> [Decision] {
        Dictionary(assignments.map { ($0.decisionNumber, $0.period) }, uniquingKeysWith: { a, _ in a })
            .map { Decision(number: $0.key, signedOn: $0.value.start, period: $0.value, standingAgencyCode: "") }
    }
}
