public import Foundation
public import GiupXaModels

/// The report's output formats, shared by `giupxa-server report` and `giupxa report`.
public enum ReportRendering {
    public enum Format: String, Sendable, CaseIterable {
        case text, csv, json, html
    }

    public static func render(_ report: ComplianceReport, as format: Format, language: Language) -> Data {
        switch format {
        case .text: Data((ReportText.render(report, language: language) + "\n").utf8)
        case .csv: ReportCSV.render(report, language: language)
        case .json: json(report)
        case .html: Data(ReportHTML.render(report, language: language).utf8)
        }
    }

    /// Pretty, key-sorted, snake_case: what `Tools/datagen/expected_report.py` compares.
    public static func json(_ report: ComplianceReport) -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(report)) ?? Data()) + Data("\n".utf8)
    }

    /// Reads a policy file, or the default policy without one.
    public static func policy(file: String?) throws -> ReportPolicy {
        guard let file else { return .default }
        return try ReportPolicy.parse(Data(contentsOf: URL(fileURLWithPath: file)))
    }

    /// `--period 2019[-H1|-H2]`, or `--from` and `--to` (dd/mm/yyyy).
    public static func period(named: String?, from: String?, to: String?, policy: ReportPolicy) throws -> ReportPeriod {
        switch (named, from, to) {
        case (let name?, nil, nil):
            return try ReportPeriod.named(name, policy: policy)
        case (nil, let from?, let to?):
            guard let start = CivilDate(parsing: from) else { throw ValidationError([FieldIssue(field: "from", reason: .invalidFormat, value: from)]) }
            guard let end = CivilDate(parsing: to) else { throw ValidationError([FieldIssue(field: "to", reason: .invalidFormat, value: to)]) }
            return try ReportPeriod.custom(from: start, to: end)
        default:
            throw ValidationError([FieldIssue(field: "period", reason: .required, value: "--period 2019 | --period 2019-H1 | --from dd/mm/yyyy --to dd/mm/yyyy")])
        }
    }
}
