import GiupXaModels
import GRDB

/// Whether an agency may file a visit, answered for the jobs of one group-commit round.
///
/// The rule: the decision in force on the visit's first day (UTC+7, `Decision.inForce`) must
/// assign the commune to the agency, for a period that also covers the visit's last day.
/// Decisions are a handful of rows, so a round reads them once, and asks once per decision,
/// agency and commune whether it assigns them: an admitted visit costs no query. Why a visit is
/// refused is asked of SQL (`SQLiteStore.refusal`), once per agency, commune and pair of days.
///
/// The answers hold for one transaction only (its round), so a decision imported later is
/// seen. Touched only inside write transactions, which GRDB runs one at a time.
final class Admissions: @unchecked Sendable {
    private struct Assignment: Hashable {
        let decision: String
        let agency: String
        let commune: String
    }

    private struct Days: Hashable {
        let agency: String
        let commune: String
        let first: Int, last: Int
    }

    private var round = -1
    private var decisions: [Decision]?
    private var assigned: [Assignment: Bool] = [:]
    private var refusals: [Days: SubmitOutcome] = [:]

    /// Nil if `agency` may file `visit`; otherwise why not.
    func refusal(_ visit: Visit, agency: String, round: Int, db: Database) throws -> SubmitOutcome? {
        if round != self.round {
            self.round = round
            decisions = nil
            assigned.removeAll(keepingCapacity: true)
            refusals.removeAll(keepingCapacity: true)
        }
        let firstDay = CivilDate(visit.start), lastDay = CivilDate(visit.end)
        let inForce = Decision.inForce(on: firstDay, among: try decisions(db))
        if let inForce, lastDay <= inForce.period.end,
           try isAssigned(Assignment(decision: inForce.number, agency: agency, commune: visit.communeCode), db: db)
        {
            return nil
        }
        let days = Days(agency: agency, commune: visit.communeCode, first: firstDay.yyyymmdd, last: lastDay.yyyymmdd)
        if let known = refusals[days] { return known }
        let reason = try SQLiteStore.refusal(
            commune: visit.communeCode, agency: agency, first: days.first, last: days.last, inForce: inForce, db: db)
        refusals[days] = reason
        return reason
    }

    private func decisions(_ db: Database) throws -> [Decision] {
        if let decisions { return decisions }
        let read = try SQLiteStore.decisions(db)
        decisions = read
        return read
    }

    private func isAssigned(_ assignment: Assignment, db: Database) throws -> Bool {
        if let known = assigned[assignment] { return known }
        let found = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM assignment WHERE decision_number = ? AND agency_code = ? AND commune_code = ?"),
            arguments: [assignment.decision, assignment.agency, assignment.commune]) != nil
        assigned[assignment] = found
        return found
    }
}

extension SQLiteStore {
    /// Why `agency` may not file a visit to `commune` from day `first` to day `last` (yyyymmdd),
    /// `inForce` being the decision in force on the first day (`Decision.inForce`), asked of SQL;
    /// nil if it may (which `Admissions` has found in memory first).
    static func refusal(commune: String, agency: String, first: Int, last: Int, inForce: Decision?, db: Database) throws -> SubmitOutcome? {
        guard try Row.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM commune WHERE code = ?"), arguments: [commune]) != nil else {
            return .rejected(FieldIssue(field: "commune", reason: .unknownCommune, value: commune))
        }
        if let inForce, last <= inForce.period.end.yyyymmdd {
            let assigned = try Row.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM assignment WHERE decision_number = ? AND agency_code = ? AND commune_code = ?"),
                arguments: [inForce.number, agency, commune])
            if assigned != nil { return nil }
        }
        let anyPeriod = try Row.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM assignment WHERE agency_code = ? AND commune_code = ?"), arguments: [agency, commune])
        if anyPeriod == nil { return .denied(.notAssigned) }
        // Assigned by some decision covering these dates, but not by the one in force.
        let covering = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT 1 FROM assignment a JOIN decision d ON d.number = a.decision_number
                WHERE a.agency_code = ? AND a.commune_code = ? AND d.period_start <= ? AND ? <= d.period_end
                """),
            arguments: [agency, commune, first, last])
        return .denied(covering == nil ? .outsidePeriod : .superseded)
    }
}
