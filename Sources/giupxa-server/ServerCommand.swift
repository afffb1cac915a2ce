import ArgumentParser
import Foundation
import GiupXaCLISupport
import GiupXaModels
import GiupXaServer
import GiupXaStorage

@main
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "giupxa-server",
        abstract: "GiupXa server and operator commands (Ban Dân tộc / standing agency).",
        version: "giupxa-server 0.3 (GiupXa protocol versions 1–2)",
        subcommands: [InitCommand.self, ServeCommand.self, AgencyCommand.self, CredentialCommand.self,
                      DecisionCommand.self, VisitsCommand.self, HistoryCommand.self, ImportBundleCommand.self,
                      ImportVisitsCommand.self, ReportCommand.self, CheckCommand.self, CommunesCommand.self])
}


struct ServerOptions: ParsableArguments {
    @Option(help: "SQLite database file. Default: $GIUPXA_DB or ./giupxa.sqlite.")
    var db: String?

    @Option(help: "Language of messages: vi (default) or en.")
    var lang: Language?

    @Option(help: "Output format: text or json (report: also csv, html).")
    var format: OutputFormat = .text

    var databasePath: String {
        db ?? ProcessInfo.processInfo.environment["GIUPXA_DB"] ?? "giupxa.sqlite"
    }

    var language: Language { CLIText.language(flag: lang) }

    func pick(vi: String, en: String) -> String { language.pick(vi: vi, en: en) }

    /// Opens an existing database; refuses to create one by accident (that is `init`'s job).
    func openStore() throws -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw OperatorError(pick(
                vi: "Không tìm thấy cơ sở dữ liệu \(databasePath): chạy `giupxa-server init` trước",
                en: "No database at \(databasePath): run `giupxa-server init` first"))
        }
        return try SQLiteStore(path: databasePath)
    }

    /// `code` (upper-cased) when an agency has it; nil for nil. A mistyped code is refused with
    /// the nearest known ones, rather than answered with an empty list.
    func knownAgency(_ code: String?, in store: any GiupXaStore) async throws -> String? {
        guard let code = code.map({ VietnameseText.trimmedCode($0).uppercased() }) else { return nil }
        if try await store.agency(code: code) != nil { return code }
        let codes = try await store.agencies().map(\.code)
        throw GiupXaModels.ValidationError([FieldIssue(
            field: "--agency", reason: .unknownAgency, value: code, candidates: NearestNames.closest(to: code, among: codes))])
    }

    func emit(_ value: some Encodable, text: () -> String) {
        switch format {
        case .text, .csv, .html: print(text())
        case .json: print(CLIText.json(value))
        }
    }

    /// Prints the error in the operator's language and returns the failing exit code.
    func fail(_ error: any Error) -> ExitCode {
        var lines: [String]
        switch error {
        case let error as GiupXaModels.ValidationError:
            lines = [pick(vi: "Dữ liệu không hợp lệ:", en: "Invalid input:")] + error.issues.map { "  - " + $0.message(language) }
        case let error as StoreError:
            lines = [error.message(language)]
        case let error as OperatorError:
            lines = [error.message]
        case let error as ServerKeyError:
            lines = [error.message(language)]
        default:
            lines = ["\(error)"]
        }
        // Messages can quote stored or typed text (a name, a code): one escaped line each.
        CLIText.writeError(pick(vi: "Lỗi: ", en: "Error: ") + lines.map(TerminalText.line).joined(separator: "\n"))
        return .failure
    }
}

/// Where the server's private key lives (PROTOCOL.md §12.1): outside the database, so a copy
/// of the database logs nobody in. Only `init` and `serve` read it.
struct KeyFileOption: ParsableArguments {
    @Option(help: "Server key file (created 0600 by init). Default: $GIUPXA_SERVER_KEY or giupxa-server.key beside the database.")
    var keyFile: String?

    func path(database: String) -> String {
        keyFile ?? ProcessInfo.processInfo.environment["GIUPXA_SERVER_KEY"] ?? ServerKey.defaultPath(forDatabase: database)
    }
}

struct OperatorError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// SQLite's full integrity check of the database, for an operator who suspects damage.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check the database file for damage (SQLite's integrity_check); `serve` runs the quick check at every start.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        do {
            let problems = try await options.openStore().integrityProblems(full: true)
            guard problems.isEmpty else { throw StoreError.damaged(problems) }
            struct Checked: Encodable { var database: String; var ok: Bool }
            options.emit(Checked(database: options.databasePath, ok: true)) {
                options.pick(vi: "Cơ sở dữ liệu \(options.databasePath) không có lỗi.", en: "The database \(options.databasePath) has no damage.")
            }
        } catch {
            throw options.fail(error)
        }
    }
}
