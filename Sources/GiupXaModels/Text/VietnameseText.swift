import Foundation

/// Vietnamese text rules from the domain brief: NFC on input, a diacritic-insensitive
/// search key for matching names, and dd/mm/yyyy-style display helpers.
public enum VietnameseText {
    /// Canonical composition (NFC) with surrounding whitespace trimmed. Some keyboards and
    /// systems send NFD ("Mường Nhé" is 13 code points in NFD, 9 in NFC); we store NFC only.
    ///
    /// Linear-time on any input: text that NFC could make slow — a run of more than
    /// `TextRules.maxCombiningMarks` combining scalars, or more than `maxNormalizedScalars`
    /// scalars — is returned as it is (trimmed), and `TextRules` then refuses it.
    public static func normalize(_ text: String) -> String {
        // Every visit field goes through here on the server's ingest path (before validation),
        // and Foundation's normalization bridges through NSString: skip it for text that is
        // NFC already, and for text it is not safe to hand over.
        let composed = isStableUnderNFC(text) || !isSafeToNormalize(text) ? text : text.precomposedStringWithCanonicalMapping
        return trimmingWhitespace(composed)
    }

    /// `text` without leading and trailing whitespace (CharacterSet.whitespacesAndNewlines),
    /// over its scalars: Foundation's `trimmingCharacters(in:)` bridges the whole string and
    /// was 41 % of the server's CPU on a batch of texts ending in a space.
    static func trimmingWhitespace(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !isWhitespace($0) }) else { return "" }
        let end = scalars.lastIndex(where: { !isWhitespace($0) })!
        if start == scalars.startIndex && end == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[start...end])
    }

    /// Above this many scalars no text is normalised: 3 × 4000 × 4 = 48,000. The longest
    /// field limit is 4000 scalars and NFD Vietnamese takes at most 3 scalars per letter, so
    /// every text a validator can accept (≤ 12,000 raw scalars) is normalised, with a factor 4
    /// of room for limits raised by configuration and for CSV cells; a 16 MiB message's
    /// megabytes of text never reach Foundation just to be refused as too long.
    public static let maxNormalizedScalars = 3 * 4000 * 4

    /// No run of more than `TextRules.maxCombiningMarks` combining scalars and at most
    /// `maxNormalizedScalars` scalars: NFC (and NFD) of it takes linear time.
    static func isSafeToNormalize(_ text: String) -> Bool {
        // At most 4 UTF-8 bytes per scalar: this many bytes are surely too many scalars.
        if text.utf8.count > 4 * maxNormalizedScalars { return false }
        let scan = TextRules.Scan(text)
        return scan.longestMarkRun <= TextRules.maxCombiningMarks && scan.scalars <= maxNormalizedScalars
    }

    /// Unicode's White_Space, plus U+200B ZERO WIDTH SPACE, as Foundation's
    /// `.whitespacesAndNewlines` has it (stored text stays what it was).
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar == " " || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace || scalar == "\u{200B}"
    }

    /// A code (agency, commune) without leading and trailing spaces and tabs
    /// (CharacterSet.whitespaces), with no Foundation call when there are none.
    public static func trimmedCode(_ code: String) -> String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator }
        guard let first = code.unicodeScalars.first, let last = code.unicodeScalars.last, isSpace(first) || isSpace(last) else { return code }
        return code.trimmingCharacters(in: .whitespaces)
    }

    /// True when NFC cannot change `text`: every scalar is below U+0300 (no combining mark,
    /// nothing NFC excludes) or a precomposed letter of Latin Extended Additional
    /// (U+1E00–U+1EFF, where Vietnamese letters with tone marks live), all of which NFC keeps.
    /// Vietnamese typed on a phone or a PC in NFC passes; NFD or other scripts take the full path.
    static func isStableUnderNFC(_ text: String) -> Bool {
        var text = text
        // Over the UTF-8 bytes: decoding scalars cost twice as much, on every visit text received.
        // Scalars below U+0300 lead with a byte below 0xCC; U+1E00–U+1EFF are E1 B8…BB xx.
        return text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte < 0xCC {
                    index += 1
                } else if byte == 0xE1, index + 1 < bytes.count, (0xB8...0xBB).contains(bytes[index + 1]) {
                    index += 3
                } else {
                    return false
                }
            }
            return true
        }
    }

    /// Lower-case, tone marks and other diacritics stripped, đ → d, runs of whitespace
    /// collapsed: "Mường Nhé" and "MUONG NHE" share the key "muong nhe". Old and new tone
    /// placement (hòa/hoà) also collapse, which NFC alone does not do.
    public static func searchKey(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        // NFD splits base letters from their marks; đ/Đ do not decompose and are mapped by hand.
        // Text unsafe to decompose (stored before the text rules, say) keeps its raw scalars:
        // its marks are still dropped, in linear time.
        let decomposed = isSafeToNormalize(text) ? text.decomposedStringWithCanonicalMapping : text
        for scalar in decomposed.unicodeScalars {
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
}
