import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaCLISupport
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol

/// All printing of the CLI goes through here: text for people (in their language), JSON for
/// scripts, errors on stderr with a non-zero exit code.
struct Output: Sendable {
    var format: OutputFormat
    var language: Language

    func pick(vi: String, en: String) -> String { language.pick(vi: vi, en: en) }

    /// Prints `text` or the JSON form of `value`, depending on --format.
    func emit(_ value: some Encodable, text: () -> String) {
        switch format {
        case .text, .csv, .html: print(text())
        case .json: print(CLIText.json(value))
        }
    }

    /// Reports `error` in the user's language and returns the exit code to end with.
    func fail(_ error: any Error) -> ExitCode {
        let message: String
        var fields: [[String: String]] = []
        switch error {
        case let error as GiupXaModels.ValidationError:
            message = pick(vi: "Dữ liệu không hợp lệ", en: "Invalid input")
            fields = error.issues.map { ["field": $0.field, "reason": $0.reason.rawValue, "message": $0.message(language)] }
        case let error as RPCError:
            message = "\(error.code): \(error.message)"
            fields = error.fieldErrors.map { ["field": $0.field, "reason": $0.reason, "message": $0.message] }
        case let error as ClientError:
            message = error.message(language)
        case let error as CLIError:
            message = error.message
        case let error as VisitFile.Failure:
            message = error.message(language)
        default:
            message = "\(error)"
        }
        switch format {
        case .json:
            struct Failure: Encodable { var error: String; var fields: [[String: String]] }
            print(CLIText.json(Failure(error: message, fields: fields)))
        case .text, .csv, .html:
            // Server messages and echoed values are data: one escaped line each.
            var lines = [pick(vi: "Lỗi: ", en: "Error: ") + TerminalText.line(message)]
            lines += fields.map { "  - " + TerminalText.line($0["message"] ?? "") }
            CLIText.writeError(lines.joined(separator: "\n"))
        }
        return .failure
    }
}

/// A CLI-level problem, already worded for the user.
struct CLIError: Error {
    var message: String
}

/// Standard output is a terminal (for progress bars).
func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
