public import ArgumentParser
public import Foundation
public import GiupXaModels

// What both executables print the same way: the --format choice, --lang parsing, JSON output
// and the order in which the language is chosen.

/// `csv` and `html` are the report's; other commands print text for them.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, csv, html
}

extension Language: ExpressibleByArgument {}

public enum CLIText {
    /// Pretty, key-sorted JSON with ISO 8601 dates, the `--format json` of every command.
    public static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    /// Writes `text` to standard error, ending the line unless `newline` is false (a prompt).
    public static func writeError(_ text: String, newline: Bool = true) {
        FileHandle.standardError.write(Data((!newline || text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// --lang, then GIUPXA_LANG, then a configured default, then LC_ALL / LC_MESSAGES / LANG.
    public static func language(flag: Language?, configured: Language? = nil,
                                environment: [String: String] = ProcessInfo.processInfo.environment) -> Language {
        if let flag { return flag }
        if let value = environment["GIUPXA_LANG"], let parsed = Language(rawValue: value) { return parsed }
        if let configured { return configured }
        return Language.fromEnvironment(environment)
    }
}
