import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaCLISupport
import GiupXaModels

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Language of messages: vi (default) or en. Also GIUPXA_LANG or LANG.")
    var lang: Language?

    @Option(name: .long, help: "Output format: text or json (report: also csv, html).")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Client directory (config and outbox). Default: $GIUPXA_HOME or ~/.giupxa.")
    var home: String?

    var clientHome: ClientHome {
        home.map { ClientHome(directory: URL(fileURLWithPath: $0)) } ?? .default()
    }

    /// --lang, then GIUPXA_LANG, then the configured language, then LC_ALL/LANG.
    func language(configured: Language? = nil) -> Language {
        CLIText.language(flag: lang, configured: configured)
    }

    func output(configured: Language? = nil) -> Output {
        Output(format: format, language: language(configured: configured))
    }
}

extension GlobalOptions {
    /// The frame of every command: load the configuration, pick the language, run `body`, and
    /// turn any error into the user's message and a failing exit code.
    func run(_ body: (_ home: ClientHome, _ config: ClientConfiguration, _ output: Output) async throws -> Void) async throws {
        let home = clientHome
        var output = self.output()
        do {
            let config = try home.loadConfiguration()
            output = self.output(configured: config.language)
            try await body(home, config, output)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw output.fail(error)
        }
    }
}
