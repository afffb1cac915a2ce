import GiupXaModels
public import GiupXaReports

/// Stored data shown in text output, made unable to spoof the terminal: databases may hold
/// text from before the text rules (or from a hostile server), and a CR, an ESC sequence, a
/// right-to-left override or a line separator in a name could fake whole lines of a listing.
/// Every C0/C1 control, format character (Cf) and U+2028/U+2029 is shown as a visible
/// `\u{…}` (hex, as in Swift source). JSON output needs none of this: its encoder escapes.
public enum TerminalText {
    /// A value on one line of output: LF and tab are escaped too.
    public static func line(_ value: String) -> String {
        escaped(value, keepingLineFeeds: false)
    }

    /// A multi-line value shown under its record: LF kept, every line (the first too) starts
    /// with `indent`, so no line of data can sit where a record starts. Empty stays empty.
    public static func block(_ value: String, indent: String = "    ") -> String {
        guard !value.isEmpty else { return "" }
        return indent + escaped(value, keepingLineFeeds: true).split(separator: "\n", omittingEmptySubsequences: false)
            .joined(separator: "\n" + indent)
    }

    static func escaped(_ value: String, keepingLineFeeds: Bool) -> String {
        // Clean text (nearly all of it) is printed as it is, after a byte scan.
        guard TextRules.containsControlOrInvisible(value, allowingLineFeed: keepingLineFeeds) else { return value }
        var out = ""
        for scalar in value.unicodeScalars {
            if TextRules.isControlOrInvisible(scalar) && !(keepingLineFeeds && scalar == "\n") {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension TerminalText {
    /// The report with every name and code escaped for `line`, for its text rendering: agency
    /// and commune names come from the store.
    public static func report(_ report: ComplianceReport) -> ComplianceReport {
        var report = report
        for a in report.agencies.indices {
            report.agencies[a].code = line(report.agencies[a].code)
            report.agencies[a].name = line(report.agencies[a].name)
            for c in report.agencies[a].communes.indices {
                report.agencies[a].communes[c].code = line(report.agencies[a].communes[c].code)
                report.agencies[a].communes[c].name = line(report.agencies[a].communes[c].name)
                report.agencies[a].communes[c].district = line(report.agencies[a].communes[c].district)
            }
        }
        return report
    }
}
