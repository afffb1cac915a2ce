import ArgumentParser
import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaStorage

/// Historical records typed up from paper, or data moved from another system: visits in the
/// JSON format `giupxa visit add --file` reads, stored for one agency with every rule a sync
/// applies.
struct ImportVisitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-visits",
        abstract: "Store visits of one agency from a JSON file (the format of `giupxa visit add --file`).",
        discussion: "Validated and authorized as in a sync; importing the same file twice stores each visit once.")

    @OptionGroup var options: ServerOptions
    @Option(help: "The agency the visits belong to.") var agency: String
    @Argument(help: "JSON file: one visit or an array.") var file: String

    func run() async throws {
        do {
            let store = try options.openStore()
            guard let agency = try await store.agency(code: agency) else { throw StoreError.unknownAgency(agency.uppercased()) }
            let inputs = try VisitInput.decodeFile(Data(contentsOf: URL(fileURLWithPath: file)))
            // Communes may be named as in the agency's assignments.
            let communes = try await store.assignments(agencyCode: agency.code, on: nil).map { (code: $0.detail.commune.code, name: $0.detail.commune.name) }
            var issues: [FieldIssue] = []
            var request = Giupxa_V1_SubmitVisitsRequest()
            for (index, input) in inputs.enumerated() {
                do {
                    request.visits.append(Giupxa_V1_Visit(try input.resolve(communes: communes)))
                } catch {
                    issues += error.issues.map { FieldIssue(field: "[\(index)].\($0.field)", reason: $0.reason, limit: $0.limit, value: $0.value) }
                }
            }
            // All or nothing: a file with a broken visit is fixed first, then imported whole.
            if !issues.isEmpty { throw GiupXaModels.ValidationError(issues) }
            try await IntakeImport.run(request, agency: agency, source: .import, store: store, options: options)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw options.fail(error)
        }
    }
}
