/// The method table of protocol v1 (PROTOCOL.md, "Methods"). Numbers are never reused.
public enum Method: UInt32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// ListAssignmentsRequest → ListAssignmentsResponse
    case listAssignments = 1
    /// SubmitVisitsRequest → SubmitVisitsResponse
    case submitVisits = 2
    /// ListVisitsRequest → ListVisitsResponse
    case listVisits = 3
    /// AmendVisitsRequest → AmendVisitsResponse
    case amendVisits = 4
    /// ComplianceReportRequest → ComplianceReportResponse
    case complianceReport = 5

    public var description: String {
        switch self {
        case .listAssignments: "ListAssignments"
        case .submitVisits: "SubmitVisits"
        case .listVisits: "ListVisits"
        case .amendVisits: "AmendVisits"
        case .complianceReport: "ComplianceReport"
        }
    }
}
