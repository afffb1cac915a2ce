import GiupXaModels
import GRDB

/// Whether an agency may file a visit, answered for the jobs of one group-commit round.
///
/// The rule (`SQLiteStore.refusal`): the decision in force on the visit's first day (UTC+7) —
/// the latest to start among those covering it, so a later decision supersedes an earlier one
/// from its start — must assign the commune to the agency, for a period that also covers the
/// visit's last day. Decisions are a handful of rows, so a round reads them once and finds the
/// one in force in memory, and asks once per decision, agency and commune whether it assigns
/// them: an admitted visit costs no query (it cost three, a tenth of the writer's time on
/// ingest). Why a visit is refused is asked of SQL, once per agency, commune and pair of days.
///
/// The answers hold for one transaction only (its round), so a decision imported later is
/// seen. Touched only inside write transactions, which GRDB runs one at a time.
final class Admissions: @unchecked Sendable {
    private struct Decision {
        let number: String
        let start: Int, end: Int
    }

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
    /// In the order that picks the one in force: latest start, then latest signed, then number.
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
        let first = CivilDate(visit.start).yyyymmdd, last = CivilDate(visit.end).yyyymmdd
        if let inForce = try decisionsInOrder(db).first(where: { $0.start <= first && first <= $0.end }), last <= inForce.end,
           try isAssigned(Assignment(decision: inForce.number, agency: agency, commune: visit.communeCode), db: db)
        {
            return nil
        }
        let days = Days(agency: agency, commune: visit.communeCode, first: first, last: last)
        if let known = refusals[days] { return known }
        let reason = try SQLiteStore.refusal(commune: visit.communeCode, agency: agency, first: first, last: last, db: db)
        refusals[days] = reason
        return reason
    }

    private func decisionsInOrder(_ db: Database) throws -> [Decision] {
        if let decisions { return decisions }
        let read = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT number, period_start, period_end FROM decision ORDER BY period_start DESC, signed_on DESC, number DESC")
        ).map { Decision(number: $0["number"], start: $0["period_start"], end: $0["period_end"]) }
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
    /// by SQL alone; nil if it may (which `Admissions` has found in memory first).
    static func refusal(commune: String, agency: String, first: Int, last: Int, db: Database) throws -> SubmitOutcome? {
        guard try Row.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM commune WHERE code = ?"), arguments: [commune]) != nil else {
            return .rejected(FieldIssue(field: "commune", reason: .unknownCommune, value: commune))
        }
        let inForce = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT number, period_end FROM decision WHERE period_start <= ? AND ? <= period_end
                ORDER BY period_start DESC, signed_on DESC, number DESC LIMIT 1
                """),
            arguments: [first, first])
        if let inForce, last <= (inForce["period_end"] as Int) {
            let assigned = try Row.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM assignment WHERE decision_number = ? AND agency_code = ? AND commune_code = ?"),
                arguments: [inForce["number"] as String, agency, commune])
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
