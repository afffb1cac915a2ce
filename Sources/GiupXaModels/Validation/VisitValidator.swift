public import Foundation

/// Checks a normalised visit against the domain rules and reports every issue at once, so a
/// cadre fixes a form in one pass rather than one error at a time.
public struct VisitValidator: Sendable {
    public var limits: VisitLimits

    public init(limits: VisitLimits = .default) {
        self.limits = limits
    }

    /// Throws `ValidationError` listing all issues. `now` bounds dates in the future (a day of
    /// slack covers field devices whose clocks are wrong).
    public func validate(_ visit: Visit, now: Date = Date()) throws(ValidationError) {
        let issues = self.issues(in: visit, now: now)
        if !issues.isEmpty { throw ValidationError(issues) }
    }

    public func issues(in visit: Visit, now: Date = Date()) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        func text(_ value: String, _ field: String, max: Int, required: Bool = false) {
            if required && value.isEmpty { issues.append(FieldIssue(field: field, reason: .required)) }
            // Characters never outnumber UTF-8 bytes: count graphemes (slow) only when the bytes could exceed the limit.
            if value.utf8.count > max && value.count > max { issues.append(FieldIssue(field: field, reason: .tooLong, limit: max)) }
            if VietnameseText.containsControlCharacters(value) {
                issues.append(FieldIssue(field: field, reason: .controlCharacters))
            }
        }

        if visit.communeCode.isEmpty {
            issues.append(FieldIssue(field: "commune", reason: .required))
        } else if !Commune.isValidCode(visit.communeCode) {
            issues.append(FieldIssue(field: "commune", reason: .invalidFormat, value: String(visit.communeCode.prefix(16))))
        }

        if visit.end <= visit.start {
            issues.append(FieldIssue(field: "end", reason: .endBeforeStart))
        } else if visit.duration > Double(limits.maxDurationDays) * 86_400 {
            issues.append(FieldIssue(field: "end", reason: .durationTooLong, limit: limits.maxDurationDays))
        }
        if CivilDate(visit.start).year < limits.earliestYear {
            issues.append(FieldIssue(field: "start", reason: .tooEarly, limit: limits.earliestYear))
        }
        if visit.start > now.addingTimeInterval(86_400) {
            issues.append(FieldIssue(field: "start", reason: .inFuture))
        }

        if visit.cadres.isEmpty { issues.append(FieldIssue(field: "cadres", reason: .required)) }
        if visit.cadres.count > limits.maxCadres {
            issues.append(FieldIssue(field: "cadres", reason: .tooMany, limit: limits.maxCadres))
        }
        for (i, cadre) in visit.cadres.prefix(limits.maxCadres).enumerated() {
            text(cadre.name, "cadres[\(i)].name", max: limits.maxShortText, required: true)
            text(cadre.position, "cadres[\(i)].position", max: limits.maxShortText)
        }

        text(visit.plan.summary, "plan.summary", max: limits.maxLongText, required: visit.plan.hasWrittenPlan)

        if visit.activities.count > limits.maxActivities {
            issues.append(FieldIssue(field: "activities", reason: .tooMany, limit: limits.maxActivities))
        }
        for (i, activity) in visit.activities.prefix(limits.maxActivities).enumerated() {
            text(activity.description, "activities[\(i)].description", max: limits.maxLongText)
        }

        if visit.support.count > limits.maxSupportItems {
            issues.append(FieldIssue(field: "support", reason: .tooMany, limit: limits.maxSupportItems))
        }
        for (i, item) in visit.support.prefix(limits.maxSupportItems).enumerated() {
            text(item.description, "support[\(i)].description", max: limits.maxShortText, required: true)
            text(item.unit, "support[\(i)].unit", max: 32)
            if item.valueVND < 0 {
                issues.append(FieldIssue(field: "support[\(i)].value_vnd", reason: .negative))
            } else if item.valueVND > limits.maxValueVND {
                issues.append(FieldIssue(field: "support[\(i)].value_vnd", reason: .tooLarge, limit: Int(limits.maxValueVND)))
            }
            if !item.quantity.isFinite {
                issues.append(FieldIssue(field: "support[\(i)].quantity", reason: .invalidFormat))
            } else if item.quantity < 0 {
                issues.append(FieldIssue(field: "support[\(i)].quantity", reason: .negative))
            }
        }

        text(visit.results, "results", max: limits.maxLongText)
        text(visit.communeRequests, "commune_requests", max: limits.maxLongText)
        return issues
    }
}
