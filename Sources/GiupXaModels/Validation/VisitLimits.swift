/// Size limits on a visit. Generous for real reports, small enough that one visit can never
/// be a memory problem; the wire's own limits (PROTOCOL.md) sit above these.
public struct VisitLimits: Sendable, Hashable {
    public var maxShortText = 200
    public var maxLongText = 4000
    public var maxCadres = 50
    public var maxActivities = 30
    public var maxSupportItems = 100
    public var maxDurationDays = 60
    public var maxValueVND: Int64 = 1_000_000_000_000
    /// Visits before the first assignment decision (182/2012) cannot be real.
    public var earliestYear = 2012

    public init() {}

    public static let `default` = VisitLimits()
}
