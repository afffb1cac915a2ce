/// The one rule set for free text that enters the models (visit texts, agency and operator
/// names, decision numbers): length, combining marks, and characters that could fake lines or
/// hide text. Everything is decided over UTF-8 bytes and Unicode scalars, never graphemes
/// (`String.count`: one emoji + 500,000 × (ZWJ + emoji) is one grapheme), and nothing here
/// needs NFC to run first, so hostile text is refused without the cost of normalising it.
public enum TextRules {
    public enum Kind: Sendable, Hashable {
        /// Names, positions, units, codes, a support item's description: no line breaks.
        case singleLine
        /// Plan summary, activity descriptions, results, commune requests: LF allowed.
        case multiLine
    }

    /// The longest run of combining scalars a text may carry. Vietnamese in NFD needs at most 2
    /// marks on a letter (ệ = e + U+0323 + U+0302), so 4 leaves room for other scripts' common
    /// stacks while staying far below the Stream-Safe Text Format's 30 (UAX #15). Runs are what
    /// NFC's canonical reordering sorts: a bounded run keeps `normalize` linear-time (a run of
    /// 100,000 alternating U+0301/U+0323 took 12 s).
    public static let maxCombiningMarks = 4

    /// NFD Vietnamese is at most 3 scalars per letter (ệ above): a text with more than 3 × limit
    /// raw scalars cannot fit the limit after NFC and is refused without normalising it.
    public static let maxScalarsPerLetter = 3

    /// The first reason `text` breaks the rules for a field of this kind and limit (in Unicode
    /// scalars of the NFC text), or nil. Order: combining marks (such text is never normalised),
    /// length (stays the useful answer for a huge text, whatever it is made of), then control
    /// and invisible characters.
    /// - Parameter isNormalized: `text` came out of `VietnameseText.normalize` (the models'
    ///   initialisers apply it), so its scalars are counted as they are. Raw text is normalised
    ///   here only when its NFC length could decide (NFC grows a text at most 3×, UAX #15).
    public static func reason(for text: String, kind: Kind, limit: Int, isNormalized: Bool = false) -> FieldIssue.Reason? {
        let scan = Scan(text)
        if scan.longestMarkRun > maxCombiningMarks { return .combiningMarks }
        if scan.scalars > limit || (!isNormalized && scan.scalars * 3 > limit) {
            if scan.scalars > maxScalarsPerLetter * limit { return .tooLong }
            let scalars = isNormalized || VietnameseText.isStableUnderNFC(text)
                ? scan.scalars : VietnameseText.normalize(text).unicodeScalars.count
            if scalars > limit { return .tooLong }
        }
        if scan.otherControls || (kind == .singleLine && scan.lineFeeds) { return .controlCharacters }
        if scan.invisibles { return .invisibleCharacters }
        return nil
    }

    /// `reason(for:…)` as the issue a validator reports, with the limit it crossed.
    /// `field` is built only when there is an issue (a path like "cadres[12].name", for every
    /// text of every visit of a batch, is most of the cost otherwise).
    public static func issue(
        field: @autoclosure () -> String, text: String, kind: Kind, limit: Int, isNormalized: Bool = false
    ) -> FieldIssue? {
        guard let reason = reason(for: text, kind: kind, limit: limit, isNormalized: isNormalized) else { return nil }
        switch reason {
        case .tooLong: return FieldIssue(field: field(), reason: reason, limit: limit)
        case .combiningMarks: return FieldIssue(field: field(), reason: reason, limit: maxCombiningMarks)
        default: return FieldIssue(field: field(), reason: reason)
        }
    }

    /// CRLF and lone CR as LF: text typed or saved on Windows (or old Macs) in a multi-line
    /// field, converted on the client so the cadre is not refused for line endings. Nothing
    /// else is changed: other refused characters get a clear message instead.
    public static func unifyingLineEndings(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        var out = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                out.append("\n")
                afterCR = true
            } else {
                if !(afterCR && scalar == "\n") { out.append(scalar) }
                afterCR = false
            }
        }
        return String(out)
    }

    /// A C0/C1 control, format character (Cf: bidi controls, zero-width characters, tags, soft
    /// hyphen…) or line/paragraph separator: what must never reach a terminal as is.
    public static func isControlOrInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch ScalarClass(scalar.value) {
        case .control, .invisible: true
        case .plain, .mark: false
        }
    }

    /// True when `text` holds a scalar that `isControlOrInvisible` flags (LF aside when
    /// `allowingLineFeed`): a byte scan, so printing clean text costs almost nothing.
    public static func containsControlOrInvisible(_ text: String, allowingLineFeed: Bool = false) -> Bool {
        let scan = Scan(text)
        return scan.otherControls || scan.invisibles || (!allowingLineFeed && scan.lineFeeds)
    }

    // MARK: The scan

    enum ScalarClass {
        case plain, mark, control, invisible

        /// Ranges that Vietnamese text lives in are decided without a property lookup.
        @inline(__always)
        init(_ value: UInt32) {
            if value < 0x20 || (0x7F...0x9F).contains(value) { self = .control; return }
            if value < 0x300 { self = value == 0xAD ? .invisible : .plain; return }  // U+00AD soft hyphen is Cf
            if value < 0x370 { self = .mark; return }  // Combining Diacritical Marks: all Mn
            if (0x1E00...0x1EFF).contains(value) { self = .plain; return }  // Latin Extended Additional: letters
            let properties = Unicode.Scalar(value)!.properties
            switch properties.generalCategory {
            case .format, .lineSeparator, .paragraphSeparator: self = .invisible
            case .control: self = .control
            case .nonspacingMark, .spacingMark, .enclosingMark: self = .mark
            default: self = properties.canonicalCombiningClass == .notReordered ? .plain : .mark
            }
        }
    }

    /// What one pass over a text's UTF-8 bytes finds. Scalars are decoded only for bytes ≥ 0x80,
    /// and the Vietnamese letters of U+1E00–U+1EFF (E1 B8…BB xx) are not decoded at all.
    struct Scan {
        var scalars = 0
        var longestMarkRun = 0
        var lineFeeds = false
        /// Cc other than LF: C0 (tab and CR included), DEL, C1.
        var otherControls = false
        /// Cf, Zl, Zp.
        var invisibles = false

        init(_ text: String) {
            var text = text
            var scalars = 0, run = 0, longest = 0
            var lineFeeds = false, otherControls = false, invisibles = false
            text.withUTF8 { bytes in
                // Valid UTF-8 (a String's): a lead byte is always followed by its continuation bytes.
                var index = 0
                let count = bytes.count
                while index < count {
                    let byte = bytes[index]
                    scalars += 1
                    if byte < 0x80 {
                        run = 0
                        if byte < 0x20 {
                            if byte == 0x0A { lineFeeds = true } else { otherControls = true }
                        } else if byte == 0x7F {
                            otherControls = true
                        }
                        index += 1
                        continue
                    }
                    let value: UInt32
                    if byte < 0xE0 {
                        value = UInt32(byte & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
                        index += 2
                    } else if byte < 0xF0 {
                        if byte == 0xE1, (0xB8...0xBB).contains(bytes[index + 1]) {
                            run = 0
                            index += 3
                            continue
                        }
                        value = UInt32(byte & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
                        index += 3
                    } else {
                        value = UInt32(byte & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
                            | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F)
                        index += 4
                    }
                    switch ScalarClass(value) {
                    case .plain: run = 0
                    case .mark:
                        run += 1
                        if run > longest { longest = run }
                    case .control: run = 0; otherControls = true
                    case .invisible: run = 0; invisibles = true
                    }
                }
            }
            self.scalars = scalars
            self.longestMarkRun = longest
            self.lineFeeds = lineFeeds
            self.otherControls = otherControls
            self.invisibles = invisibles
        }
    }
}
