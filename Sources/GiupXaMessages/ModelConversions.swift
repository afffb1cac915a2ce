public import Foundation
public import GiupXaModels

// Conversions between the domain models and the v1 wire messages. Decoding from the wire
// reports what it cannot map (a bad UUID, an unknown category) as FieldIssues, so the visit
// is rejected with the same typed errors as any other validation failure.

extension Giupxa_V1_Visit {
    public init(_ visit: Visit) {
        self.init()
        id = withUnsafeBytes(of: visit.id.uuid) { Data($0) }
        communeCode = visit.communeCode
        startTime = Int64(visit.start.timeIntervalSince1970.rounded(.down))
        endTime = Int64(visit.end.timeIntervalSince1970.rounded(.down))
        cadres = visit.cadres.map { cadre in
            var c = Giupxa_V1_Cadre()
            c.name = cadre.name
            c.position = cadre.position
            return c
        }
        if visit.plan.hasWrittenPlan || !visit.plan.summary.isEmpty {
            plan.hasWrittenPlan_p = visit.plan.hasWrittenPlan
            plan.summary = visit.plan.summary
        }
        activities = visit.activities.map { activity in
            var a = Giupxa_V1_Activity()
            a.category = Giupxa_V1_ActivityCategory(rawValue: activity.category.number) ?? .unspecified
            a.description_p = activity.description
            return a
        }
        support = visit.support.map { item in
            var s = Giupxa_V1_SupportItem()
            s.description_p = item.description
            s.quantity = item.quantity
            s.unit = item.unit
            s.valueVnd = item.valueVND
            return s
        }
        results = visit.results
        communeRequests = visit.communeRequests
    }

    /// The domain visit, normalised to NFC. Throws every mapping issue found.
    public func toModel(agencyCode: String) throws(ValidationError) -> Visit {
        var issues: [FieldIssue] = []
        var uuid = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        if id.count == 16 {
            uuid = id.withUnsafeBytes { raw in UUID(uuid: raw.loadUnaligned(as: uuid_t.self)) }
        } else {
            issues.append(FieldIssue(field: "id", reason: id.isEmpty ? .required : .invalidFormat, value: "\(id.count) bytes"))
        }
        var mapped: [Activity] = []
        for (i, activity) in activities.enumerated() {
            guard let category = ActivityCategory(number: activity.category.rawValue) else {
                issues.append(FieldIssue(field: "activities[\(i)].category", reason: .unknownCategory, value: String(activity.category.rawValue)))
                continue
            }
            mapped.append(Activity(category: category, description: activity.description_p))
        }
        if !issues.isEmpty { throw ValidationError(issues) }
        return Visit(
            id: uuid,
            agencyCode: agencyCode,
            communeCode: communeCode,
            start: Date(timeIntervalSince1970: TimeInterval(startTime)),
            end: Date(timeIntervalSince1970: TimeInterval(endTime)),
            cadres: cadres.map { Cadre(name: $0.name, position: $0.position) },
            plan: VisitPlan(hasWrittenPlan: plan.hasWrittenPlan_p, summary: plan.summary),
            activities: mapped,
            support: support.map {
                SupportItem(description: $0.description_p, quantity: $0.quantity, unit: $0.unit, valueVND: $0.valueVnd)
            },
            results: results,
            communeRequests: communeRequests
        ).withNormalizedOwnFields()  // the nested values' initialisers above normalised theirs
    }
}

extension Giupxa_V1_StoredVisit {
    public init(_ stored: StoredVisit) {
        self.init()
        visit = Giupxa_V1_Visit(stored.visit)
        revision = UInt32(stored.revision)
        receivedTimeMs = Int64(stored.receivedAt.timeIntervalSince1970 * 1000)
        agencyCode = stored.visit.agencyCode
    }

    public func toModel() throws(ValidationError) -> StoredVisit {
        StoredVisit(
            visit: try visit.toModel(agencyCode: agencyCode),
            revision: Int(revision),
            receivedAt: Date(timeIntervalSince1970: TimeInterval(receivedTimeMs) / 1000))
    }
}

extension Giupxa_V1_Assignment {
    public init(_ detail: AssignmentDetail, isSample: Bool) {
        self.init()
        decisionNumber = detail.assignment.decisionNumber
        communeCode = detail.commune.code
        communeName = detail.commune.name
        districtName = detail.commune.district.name
        role = detail.assignment.role == .lead ? .lead : .supporting
        periodStart = UInt32(detail.period.start.yyyymmdd)
        periodEnd = UInt32(detail.period.end.yyyymmdd)
        sample = isSample
    }
}

extension UUID {
    /// The 16 bytes of the UUID in RFC 9562 order, as on the wire.
    public var wireBytes: Data { withUnsafeBytes(of: uuid) { Data($0) } }

    public init?(wireBytes: Data) {
        guard wireBytes.count == 16 else { return nil }
        self = wireBytes.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
    }
}
