import Foundation

/// Vietnamese text rules from the domain brief: NFC on input, a diacritic-insensitive
/// search key for matching names, and dd/mm/yyyy-style display helpers.
public enum VietnameseText {
    /// Canonical composition (NFC) with surrounding whitespace trimmed. Some keyboards and
    /// systems send NFD ("Mường Nhé" is 13 code points in NFD, 9 in NFC); we store NFC only.
    public static func normalize(_ text: String) -> String {
        // Every visit field goes through here on the server's ingest path, and Foundation's
        // normalization bridges through NSString: skip it for text that is NFC already.
        let composed = isStableUnderNFC(text) ? text : text.precomposedStringWithCanonicalMapping
        let spaces = CharacterSet.whitespacesAndNewlines
        guard let first = composed.unicodeScalars.first, let last = composed.unicodeScalars.last,
              spaces.contains(first) || spaces.contains(last)
        else { return composed }
        return composed.trimmingCharacters(in: spaces)
    }

    /// True when NFC cannot change `text`: every scalar is below U+0300 (no combining mark,
    /// nothing NFC excludes) or a precomposed letter of Latin Extended Additional
    /// (U+1E00–U+1EFF, where Vietnamese letters with tone marks live), all of which NFC keeps.
    /// Vietnamese typed on a phone or a PC in NFC passes; NFD or other scripts take the full path.
    static func isStableUnderNFC(_ text: String) -> Bool {
        for scalar in text.unicodeScalars where scalar.value >= 0x300 && !(0x1E00...0x1EFF).contains(scalar.value) {
            return false
        }
        return true
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
    /// (General category Cc is exactly U+0000–U+001F and U+007F–U+009F: compared directly,
    /// as this runs on every text field of every visit received.)
    static func containsControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            let value = scalar.value
            return (value < 0x20 && value != 0x0A && value != 0x09 && value != 0x0D) || (0x7F...0x9F).contains(value)
        }
    }
}
