import Foundation

/// Vietnamese text rules from the domain brief: NFC on input, a diacritic-insensitive
/// search key for matching names, and dd/mm/yyyy-style display helpers.
public enum VietnameseText {
    /// Canonical composition (NFC) with surrounding whitespace trimmed. Some keyboards and
    /// systems send NFD ("Mường Nhé" is 13 code points in NFD, 9 in NFC); we store NFC only.
    public static func normalize(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Lower-case, tone marks and other diacritics stripped, đ → d, runs of whitespace
    /// collapsed: "Mường Nhé" and "MUONG NHE" share the key "muong nhe". Old and new tone
    /// placement (hòa/hoà) also collapse, which NFC alone does not do.
    public static func searchKey(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        // NFD splits base letters from their marks; đ/Đ do not decompose and are mapped by hand.
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            if scalar.properties.isWhitespace {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(" "); pendingSpace = false }
            switch scalar {
            case "đ", "Đ": out.append("d")
            default:
                for lower in scalar.properties.lowercaseMapping.unicodeScalars { out.append(lower) }
            }
        }
        return String(out)
    }

    /// True when `text` contains a C0/C1 control character other than tab, CR and LF (text
    /// pasted from Windows keeps its CRLF line ends).
    static func containsControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            scalar.properties.generalCategory == .control && scalar != "\n" && scalar != "\t" && scalar != "\r"
        }
    }
}
