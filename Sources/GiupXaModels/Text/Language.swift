/// The language of user-facing text. Vietnamese by default; English on request.
public enum Language: String, Sendable, Codable, CaseIterable {
    case vi
    case en

    /// Reads `LC_ALL`, `LC_MESSAGES` and `LANG` in POSIX order: English when the first one
    /// set starts with "en", Vietnamese otherwise (the users' language is the default).
    public static func fromEnvironment(_ environment: [String: String]) -> Language {
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = environment[key], !value.isEmpty {
                return value.lowercased().hasPrefix("en") ? .en : .vi
            }
        }
        return .vi
    }

    /// Picks the string for this language; keeps call sites to one expression.
    @inlinable
    public func pick(vi: String, en: String) -> String {
        self == .vi ? vi : en
    }
}
