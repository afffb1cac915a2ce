import Foundation

/// Sorting the way a Vietnamese reader expects: the alphabet a ă â b c d đ e ê g h i k l m n o
/// ô ơ p q r s t u ư v x y, letters first, tones (ngang, huyền, hỏi, ngã, sắc, nặng) only to
/// break ties. Code-point order would put "Đ" and "Ẳ" after "Z".
public enum VietnameseCollation {
    private static let alphabet: [String] = [
        "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "ô", "ơ",
        "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
    ]
    private static let rank: [String: Int] = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0 + 100) })
    /// Combining marks that make a new letter (ă â ê ô ơ ư), not a tone.
    private static let letterMarks: Set<UInt32> = [0x0306, 0x0302, 0x031B]
    /// Tone marks in dictionary order: huyền, hỏi, ngã, sắc, nặng (ngang = no mark).
    private static let tones: [UInt32: Int] = [0x0300: 1, 0x0309: 2, 0x0303: 3, 0x0301: 4, 0x0323: 5]

    /// A key whose lexicographic order is Vietnamese order: letters first, then tones.
    public static func sortKey(_ text: String) -> [Int] {
        var letters: [Int] = []
        var toneMarks: [Int] = []
        var current = ""
        var tone = 0
        func flush() {
            guard !current.isEmpty else { return }
            let composed = current.precomposedStringWithCanonicalMapping
            if let r = rank[composed] {
                letters.append(r)
            } else if let scalar = composed.unicodeScalars.first {
                // Digits and punctuation before letters; other scripts after, by code point.
                letters.append(scalar.properties.numericType != nil ? Int(scalar.value) - 0x30 + 10 : (scalar.value < 0x80 ? 1 : 1000 + Int(scalar.value)))
            }
            toneMarks.append(tone)
            current = ""
            tone = 0
        }
        for scalar in text.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            if let t = tones[scalar.value] {
                tone = t
            } else if letterMarks.contains(scalar.value) {
                current.unicodeScalars.append(scalar)
            } else if scalar.properties.generalCategory == .nonspacingMark {
                continue
            } else {
                flush()
                current.unicodeScalars.append(scalar)
            }
        }
        flush()
        return letters + [0] + toneMarks
    }

    public static func areInIncreasingOrder(_ a: String, _ b: String) -> Bool {
        let (ka, kb) = (sortKey(a), sortKey(b))
        return ka == kb ? a < b : ka.lexicographicallyPrecedes(kb)
    }
}
