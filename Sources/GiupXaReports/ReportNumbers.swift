public import GiupXaModels

/// Numbers as a Vietnamese reader writes them (1.234; 2,5; 65,9 %), or in English style.
public enum ReportNumbers {
    public static func count(_ n: Int, _ language: Language) -> String {
        group(String(n.magnitude), language, negative: n < 0)
    }

    public static func decimal(_ x: Double, digits: Int = 1, _ language: Language) -> String {
        let scale = (0..<digits).reduce(1.0) { r, _ in r * 10 }
        let scaled = Int64((x * scale).rounded())
        let whole = group(String((scaled / Int64(scale)).magnitude), language, negative: scaled < 0)
        guard digits > 0 else { return whole }
        let fraction = String(scaled.magnitude % UInt64(scale))
        return whole + (language == .vi ? "," : ".") + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// "65,9 %" / "65.9%"; "–" when there is nothing to divide.
    public static func percent(_ share: Double?, _ language: Language) -> String {
        guard let share else { return "–" }
        return decimal(share * 100, digits: 1, language) + (language == .vi ? " %" : "%")
    }

    public static func date(_ date: CivilDate?) -> String { date?.description ?? "–" }

    private static func group(_ digits: String, _ language: Language, negative: Bool) -> String {
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(language == .vi ? "." : ",") }
            out.append(c)
        }
        return (negative ? "-" : "") + out
    }
}

extension AgencyFlag {
    public func title(_ language: Language) -> String {
        switch self {
        case .silent: language.pick(vi: "im lặng", en: "silent")
        case .mostlyGifts: language.pick(vi: "chủ yếu tặng quà", en: "mostly gifts")
        case .tokenVisits: language.pick(vi: "chủ yếu hình thức", en: "mostly token visits")
        }
    }
}

extension RowFlag {
    public func title(_ language: Language) -> String {
        switch self {
        case .notVisited: language.pick(vi: "chưa đến", en: "not visited")
        }
    }
}

extension ReportPeriod {
    /// "kỳ 2019 (15/12/2018 – 14/12/2019)"
    public func title(_ language: Language) -> String {
        language.pick(vi: "kỳ \(label) (\(from) – \(to))", en: "period \(label) (\(from) – \(to))")
    }
}
