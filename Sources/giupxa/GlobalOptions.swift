import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaCLISupport
import GiupXaModels

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Language of messages: vi (default) or en. Also GIUPXA_LANG or LANG.")
    var lang: Language?

    @Option(name: .long, help: "Output format: text or json.")
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
