/// Suggestions for a name that matched nothing: the known names closest to it by edit
/// distance between search keys (tones, case and đ ignored), so "Keo Lom 3" suggests "Keo Lôm".
public enum NearestNames {
    /// Up to `limit` of `names`, closest first; only those within a third of the query's length.
    public static func closest(to query: String, among names: [String], limit: Int = 3) -> [String] {
        let key = Array(VietnameseText.searchKey(query).unicodeScalars)
        guard !key.isEmpty else { return [] }
        let threshold = max(2, key.count / 3)
        var scored: [(distance: Int, name: String)] = []
        for name in Set(names) {
            let d = distance(key, Array(VietnameseText.searchKey(name).unicodeScalars), bound: threshold)
            if d <= threshold { scored.append((d, name)) }
        }
        return scored.sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }.prefix(limit).map(\.name)
    }

    /// Levenshtein distance, giving up (returning bound + 1) once it must exceed `bound`.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], bound: Int) -> Int {
        if abs(a.count - b.count) > bound { return bound + 1 }
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            var rowMin = current[0]
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMin = min(rowMin, current[j])
            }
            if rowMin > bound { return bound + 1 }
            previous = current
        }
        return previous[b.count]
    }
}
