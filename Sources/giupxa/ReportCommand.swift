import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaCLISupport
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaReportMessages
import GiupXaReports
import GiupXaFiles

/// The compliance report over the protocol: an operator (credential without an agency) sees
/// any agency or the whole province, an agency its own (Protocol/REPORT.md).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Báo cáo định kỳ / the periodic compliance report (--format text, csv, json or html).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "2019, 2019-H1 or 2019-H2 (Decree 09/2019 boundaries unless the policy says otherwise).") var period: String?
    @Option(help: "First day of a custom period, dd/mm/yyyy (with --to).") var from: String?
    @Option(help: "Last day of a custom period, dd/mm/yyyy.") var to: String?
    @Option(help: "Operators: only this agency.") var agency: String?
    @Option(help: "Policy file (JSON; `giupxa-server report policy` prints the default).") var policy: String?
    @Option(help: "Write to this file instead of standard output.") var out: String?

    func run() async throws {
        try await global.run { home, config, output in
            let policy = try ReportRendering.policy(file: self.policy)
            let period = try ReportRendering.period(named: self.period, from: from, to: to, policy: policy)
            var request = Giupxa_V1_ComplianceReportRequest()
            if let named = self.period { request.period = named } else {
                request.fromDay = UInt32(period.from.yyyymmdd)
                request.toDay = UInt32(period.to.yyyymmdd)
            }
            request.agencyCode = agency?.uppercased() ?? ""
            if self.policy != nil { request.policy = Giupxa_V1_ReportPolicy(policy) }
            let client = try AgencyClient(
                configuration: config, language: output.language, counters: try home.openOutbox(), requireAgency: false)
            let report = try await client.complianceReport(request)
            let format = ReportRendering.Format(rawValue: output.format.rawValue) ?? .text
            // The text form goes to a terminal: names escaped (CSV, JSON, HTML escape their own way).
            let data = ReportRendering.render(format == .text ? TerminalText.report(report) : report, as: format, language: output.language)
            if let out {
                // Reports name agencies' cadres and what they did: owner-only, like the outbox.
                try PrivateFile.write(data, to: out)
            } else {
                FileHandle.standardOutput.write(data)
            }
        }
    }
}
