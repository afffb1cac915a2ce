/// Text from the network made safe for a log line: a newline or an escape sequence in a claimed
/// agency code or a trace id could otherwise forge log lines or drive the operator's terminal.
/// Controls, format characters (bidi overrides, zero-width) and line separators become `\u{…}`,
/// backslashes are doubled, and the result is cut to `limit` scalars.
enum LogText {
    static func escaped(_ text: some StringProtocol, limit: Int = 64) -> String {
        var out = ""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == limit {
                out += "…"
                break
            }
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default:
                if scalar == "\\" { out += "\\\\" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
