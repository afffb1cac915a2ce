import ArgumentParser
import Foundation
import GiupXaCLISupport
import GiupXaModels
import GiupXaReports
import GiupXaServer
import GiupXaFiles

/// The periodic compliance report on the server machine (Protocol/REPORT.md). Remote operators and
/// agencies get the same report with `giupxa report`.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The periodic compliance report: per agency and assigned commune, with flags.",
        subcommands: [Make.self, Policy.self], defaultSubcommand: Make.self)

    struct Make: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "make", abstract: "Compute and print the report (the default).")
        @OptionGroup var options: ServerOptions
        @OptionGroup var selection: ReportSelection

        func run() async throws {
            do {
                let policy = try ReportRendering.policy(file: selection.policy)
                let period = try ReportRendering.period(named: selection.period, from: selection.from, to: selection.to, policy: policy)
                let store = try options.openStore()
                let agency = try await options.knownAgency(selection.agency, in: store)
                let report = try await ReportBuilder(store: store).report(period: period, policy: policy, agency: agency)
                let format = ReportRendering.Format(rawValue: options.format.rawValue) ?? .text
                // The text form goes to a terminal: stored names escaped (CSV, JSON, HTML escape their own way).
                let shown = format == .text ? TerminalText.report(report) : report
                try selection.write(ReportRendering.render(shown, as: format, language: options.language))
            } catch {
                throw options.fail(error)
            }
        }
    }

    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the default policy file, to edit and pass with --policy.")

        func run() {
            print(String(decoding: ReportPolicy.default.json(), as: UTF8.self))
        }
    }
}

/// Which report: the period, one agency or all, the policy, where to write it.
struct ReportSelection: ParsableArguments {
    @Option(help: "2019 (15/12/2018–14/12/2019), 2019-H1 or 2019-H2; boundaries from the policy.") var period: String?
    @Option(help: "First day of a custom period, dd/mm/yyyy (with --to).") var from: String?
    @Option(help: "Last day of a custom period, dd/mm/yyyy.") var to: String?
    @Option(help: "Only this agency.") var agency: String?
    @Option(help: "Policy file (JSON; see `report policy`).") var policy: String?
    @Option(help: "Write to this file instead of standard output.") var out: String?

    func write(_ data: Data) throws {
        if let out {
            // Reports name agencies' cadres and what they did: owner-only, like the database.
            try PrivateFile.write(data, to: out)
        } else {
            FileHandle.standardOutput.write(data)
        }
    }
}
