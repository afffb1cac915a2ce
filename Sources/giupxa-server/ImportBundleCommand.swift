import ArgumentParser
import Foundation
import GiupXaCLISupport
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
            Same rules and idempotency as a sync: importing twice, or importing and then syncing the \
            same visits, stores each once. A damaged bundle is refused whole and nothing is stored.
            """)

    @OptionGroup var options: ServerOptions
    @Argument(help: "The bundle file.") var file: String

    func run() async throws {
        do {
            let store = try options.openStore()
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
            let (header, request): (Giupxa_V1_BundleHeader, Giupxa_V1_SubmitVisitsRequest)
            do {
                (header, request) = try VisitBundle.decode(bytes)
            } catch {
                throw OperatorError(options.pick(
                    vi: "Tệp \(file) không dùng được: \(error.message(.vi)) — không lưu gì",
                    en: "Bundle \(file) refused: \(error.message(.en)) — nothing stored"))
            }
            guard let agency = try await store.agency(code: header.agencyCode) else {
                throw StoreError.unknownAgency(header.agencyCode)
            }
            try await IntakeImport.run(request, agency: agency, store: store, options: options)
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
    static func run(_ request: Giupxa_V1_SubmitVisitsRequest, agency: Agency, store: any GiupXaStore, options: ServerOptions) async throws {
        let intake = VisitIntake(store: store, maxVisitsPerBatch: ProtocolLimits.default.maxVisitsPerBatch)
        var results: [Giupxa_V1_VisitResult] = []
        for start in stride(from: 0, to: request.visits.count, by: 500) {
            var chunk = Giupxa_V1_SubmitVisitsRequest()
            chunk.visits = Array(request.visits[start..<min(start + 500, request.visits.count)])
            results += try await intake.submit(
                chunk, agency: agency, language: options.language, logger: Logger(label: "giupxa.import", factory: { _ in SwiftLogNoOpLogHandler() })).results
        }
        struct View: Encodable {
            var agency: String
            var stored = 0, alreadyStored = 0, conflicts = 0, rejected = 0
            var problems: [String] = []
        }
        var view = View(agency: agency.code)
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
                vi: "\(agency.code): lưu mới \(view.stored), đã có \(view.alreadyStored), xung đột \(view.conflicts), bị từ chối \(view.rejected)",
                en: "\(agency.code): stored \(view.stored), already stored \(view.alreadyStored), conflicts \(view.conflicts), rejected \(view.rejected)")]
                + view.problems.map { "  - " + TerminalText.line($0) }).joined(separator: "\n")
        }
        if view.conflicts + view.rejected > 0 { throw ExitCode.failure }
    }
}
