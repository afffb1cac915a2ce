import GiupXaModels
public import GiupXaReports
public import GiupXaStorage

/// Gathers what a compliance report needs from the store and computes it: for the operator's
/// command on the server and for the ComplianceReport method alike.
public struct ReportBuilder: Sendable {
    let store: any GiupXaStore

    public init(store: any GiupXaStore) {
        self.store = store
    }

    /// - Parameter agency: only this agency's rows (an agency asking for its own report).
    public func report(period: ReportPeriod, policy: ReportPolicy, agency: String? = nil) async throws -> ComplianceReport {
        let input = ReportInput(
            agencies: try await store.agencies(),
            communes: try await store.communes(),
            decisions: try await store.decisions(),
            assignments: try await store.allAssignments(),
            // Everything started by the end of the last day: the period's visits, and earlier
            // ones for the days since an agency's last visit.
            visits: try await store.latestVisits(startingBefore: period.to.adding(days: 1).startOfDay, agencyCode: agency))
        return ComplianceCalculator.report(period: period, policy: policy, input: input, onlyAgency: agency)
    }
}
