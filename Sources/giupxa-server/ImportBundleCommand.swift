import ArgumentParser
import Foundation
import GiupXaCLISupport
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaServer
import GiupXaStorage
import Logging

struct ImportBundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-bundle",
        abstract: "Store the visits of a bundle written by `giupxa outbox export`.",
        discussion: """
            The bundle must be signed by a live credential of the agency it names (PROTOCOL.md §15); \
            a forged, altered, revoked or unknown-credential bundle is refused whole and nothing is \
            stored. Bundles of earlier clients (format 1, unsigned) are refused unless you vouch for \
            them with --accept-unsigned; the note is kept in each visit's history. Same rules and \
            idempotency as a sync: importing twice, or importing and then syncing the same visits, \
            stores each once.
            """)

    @OptionGroup var options: ServerOptions
    @Option(
        name: .customLong("accept-unsigned"),
        help: ArgumentHelp(
            "Import a format-1 (unsigned) bundle, vouched for by you: the reason and your name, kept in the history.",
            valueName: "note"))
    var acceptUnsigned: String?
    @Argument(help: "The bundle file.") var file: String

    func run() async throws {
        do {
            let store = try options.openStore()
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            let opened: BundleImporter.Opened
            do {
                opened = try await BundleImporter(store: store).open(bytes, acceptUnsigned: acceptUnsigned)
            } catch let refusal as BundleImporter.Refusal {
                throw OperatorError(options.pick(
                    vi: "Tệp \(file) không được nhận: \(refusal.message(.vi)) — không lưu gì",
                    en: "Bundle \(file) refused: \(refusal.message(.en)) — nothing stored"))
            }
            try await IntakeImport.run(opened.request, agency: opened.agency, source: opened.source, store: store, options: options)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw options.fail(error)
        }
    }
}

/// Submits already-decoded visits for one agency through the same intake as SubmitVisits
/// (validation, authorization, idempotency), in chunks, and reports the outcome.
enum IntakeImport {
    static func run(
        _ request: Giupxa_V1_SubmitVisitsRequest, agency: Agency, source: VisitSource, store: any GiupXaStore, options: ServerOptions
    ) async throws {
        let intake = VisitIntake(store: store, maxVisitsPerBatch: 500)
        let results = try await intake.submitAll(
            request, agency: agency, source: source, language: options.language,
            logger: Logger(label: "giupxa.import", factory: { _ in SwiftLogNoOpLogHandler() }))
        struct View: Encodable {
            var agency: String
            var source: VisitSource
            var stored = 0, alreadyStored = 0, conflicts = 0, rejected = 0
            var problems: [String] = []
        }
        var view = View(agency: agency.code, source: source)
        for result in results {
            switch result.outcome {
            case .stored: view.stored += 1
            case .alreadyStored: view.alreadyStored += 1
            case .conflict: view.conflicts += 1; view.problems.append(result.status.message)
            default: view.rejected += 1; view.problems.append(result.status.message)
            }
        }
        options.emit(view) {
            ([options.pick(
                vi: "\(agency.code) (\(source.label(.vi))): lưu mới \(view.stored), đã có \(view.alreadyStored), xung đột \(view.conflicts), bị từ chối \(view.rejected)",
                en: "\(agency.code) (\(source.label(.en))): stored \(view.stored), already stored \(view.alreadyStored), conflicts \(view.conflicts), rejected \(view.rejected)")]
                + view.problems.map { "  - " + TerminalText.line($0) }).joined(separator: "\n")
        }
        if view.conflicts + view.rejected > 0 { throw ExitCode.failure }
    }
}
