import ArgumentParser
import GiupXaCLISupport
import GiupXaModels
import GiupXaStorage

/// The communes the database knows, with their official codes, by district: what an operator
/// needs to write an assignment table or check a code.
struct CommunesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "communes", abstract: "List the communes and their codes, by district (optionally one district, by name).")

    @OptionGroup var options: ServerOptions
    @Option(help: "Only this district (its name; tones and case ignored).") var district: String?

    func run() async throws {
        do {
            var communes = try await options.openStore().communes()
            if let district {
                let key = VietnameseText.searchKey(district)
                communes = communes.filter { VietnameseText.searchKey($0.district.name).contains(key) }
                guard !communes.isEmpty else {
                    throw GiupXaModels.ValidationError([FieldIssue(field: "--district", reason: .notFound, value: String(district.prefix(40)))])
                }
            }
            communes.sort { ($0.district.code, $0.code) < ($1.district.code, $1.code) }
            options.emit(communes) {
                var lines: [String] = []
                var current = ""
                for commune in communes {
                    if commune.district.code != current {
                        current = commune.district.code
                        lines.append(TerminalText.line(commune.district.name))
                    }
                    lines.append("  \(commune.code)  \(TerminalText.line(commune.name))")
                }
                return lines.joined(separator: "\n")
            }
        } catch {
            throw options.fail(error)
        }
    }
}
