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
        // Limits count Unicode scalars of the NFC text (one per Vietnamese letter), never
        // graphemes, which a ZWJ chain makes unbounded. The visit is normalised: its text is NFC,
        // or left raw by `normalize` because it is unsafe, which the rules refuse anyway.
        // The field's path is built only for an issue: interpolating "cadres[i].name" for every
        // cadre of every visit was most of validating a batch.
        func text(_ value: String, _ field: @autoclosure () -> String, _ kind: TextRules.Kind, max: Int, required: Bool = false) {
            if required && value.isEmpty { issues.append(FieldIssue(field: field(), reason: .required)) }
            if let issue = TextRules.issue(field: field(), text: value, kind: kind, limit: max, isNormalized: true) { issues.append(issue) }
        }

        if visit.communeCode.isEmpty {
            issues.append(FieldIssue(field: "commune", reason: .required))
        } else if !Commune.isValidCode(visit.communeCode) {
            // Cut by scalars: 16 graphemes of a hostile code can be megabytes.
            let echo = String(String.UnicodeScalarView(visit.communeCode.unicodeScalars.prefix(16)))
            issues.append(FieldIssue(field: "commune", reason: .invalidFormat, value: echo))
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
            text(cadre.name, "cadres[\(i)].name", .singleLine, max: limits.maxShortText, required: true)
            text(cadre.position, "cadres[\(i)].position", .singleLine, max: limits.maxShortText)
        }

        text(visit.plan.summary, "plan.summary", .multiLine, max: limits.maxLongText, required: visit.plan.hasWrittenPlan)

        if visit.activities.count > limits.maxActivities {
            issues.append(FieldIssue(field: "activities", reason: .tooMany, limit: limits.maxActivities))
        }
        for (i, activity) in visit.activities.prefix(limits.maxActivities).enumerated() {
            text(activity.description, "activities[\(i)].description", .multiLine, max: limits.maxLongText)
        }

        if visit.support.count > limits.maxSupportItems {
            issues.append(FieldIssue(field: "support", reason: .tooMany, limit: limits.maxSupportItems))
        }
        for (i, item) in visit.support.prefix(limits.maxSupportItems).enumerated() {
            text(item.description, "support[\(i)].description", .singleLine, max: limits.maxShortText, required: true)
            text(item.unit, "support[\(i)].unit", .singleLine, max: 32)
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

        text(visit.results, "results", .multiLine, max: limits.maxLongText)
        text(visit.communeRequests, "commune_requests", .multiLine, max: limits.maxLongText)
        return issues
    }
}
