import Foundation
@testable import GiupXaModels
import Testing

/// The text rules (issue 15, findings 3, 6 and 8): limits in Unicode scalars, bounded runs of
/// combining marks, no controls or invisible characters that could fake lines.
@Suite struct TextRulesTests {
    static let now = VisitValidatorTests.start.addingTimeInterval(365 * 86_400)

    func issues(limits: VisitLimits = .default, _ change: (inout Visit) -> Void) -> [FieldIssue] {
        var visit = VisitValidatorTests.goodVisit()
        change(&visit)
        return VisitValidator(limits: limits).issues(in: visit.normalized(), now: Self.now)
    }

    /// "a" + 100,000 alternating U+0301 (ccc 230) and U+0323 (ccc 220): NFC's canonical
    /// reordering of that run took 12 s of server CPU.
    static let markPile = "a" + String(repeating: "\u{301}\u{323}", count: 50_000)

    // Compared by bytes: String's == is canonical equivalence, which would normalise the pile.
    func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }

    @Test func aPileOfCombiningMarksIsNotNormalisedAndIsRefused() {
        let pile = Self.markPile
        #expect(pile.unicodeScalars.count == 100_001)
        #expect(same(VietnameseText.normalize(pile), pile))
        #expect(same(VietnameseText.normalize("  \(pile)\n"), pile))
        #expect(TextRules.reason(for: pile, kind: .multiLine, limit: 4000) == .combiningMarks)

        let found = issues { $0.results = pile; $0.cadres[0].name = "Lò" + pile }
        #expect(found.contains(FieldIssue(field: "results", reason: .combiningMarks, limit: TextRules.maxCombiningMarks)), "\(found)")
        #expect(found.contains { $0.field == "cadres[0].name" && $0.reason == .combiningMarks }, "\(found)")
        #expect(FieldIssue(field: "results", reason: .combiningMarks, limit: 4).message(.vi).contains("quá nhiều dấu"))
    }

    @Test func shortRunsOfMarksAreStillNormalised() {
        // Reordered and composed: a + U+0301 + U+0323 is ạ (U+1EA1) + U+0301.
        #expect(same(VietnameseText.normalize("a\u{301}\u{323}"), "\u{1EA1}\u{301}"))
        #expect(same(VietnameseText.normalize("e\u{323}\u{302}"), "ệ"))
        // Four marks in a row pass, five do not.
        let four = "a\u{301}\u{323}\u{301}\u{323}", five = four + "\u{301}"
        #expect(TextRules.reason(for: four, kind: .singleLine, limit: 200) == nil)
        #expect(TextRules.reason(for: five, kind: .singleLine, limit: 200) == .combiningMarks)
        #expect(same(VietnameseText.normalize(five), five))
    }

    @Test func textAboveTheHardCapIsNotNormalised() {
        let long = String(repeating: "e\u{302}", count: VietnameseText.maxNormalizedScalars / 2 + 1)
        #expect(same(VietnameseText.normalize(long), long))
        let fits = String(repeating: "e\u{302}", count: VietnameseText.maxNormalizedScalars / 2)
        #expect(same(VietnameseText.normalize(fits), String(repeating: "ê", count: VietnameseText.maxNormalizedScalars / 2)))
    }

    /// One emoji + ZWJ + emoji … is one grapheme, so `String.count` let 3.5 MB through a
    /// 4000-character limit. Scalars count.
    @Test func aZWJChainIsTooLongInScalars() {
        let chain = "👩" + String(repeating: "\u{200D}👩", count: 2_500)
        #expect(chain.count == 1)
        #expect(chain.unicodeScalars.count == 5_001)
        let found = issues { $0.results = chain }
        #expect(found.contains(FieldIssue(field: "results", reason: .tooLong, limit: 4000)), "\(found)")
        #expect(TextRules.reason(for: chain, kind: .multiLine, limit: 4000) == .tooLong)
        // A shorter chain is refused for its zero-width joiners.
        #expect(TextRules.reason(for: "👩\u{200D}👩", kind: .multiLine, limit: 4000) == .invisibleCharacters)
    }

    @Test(arguments: [
        ("\r", FieldIssue.Reason.controlCharacters), ("\n", .controlCharacters), ("\t", .controlCharacters),
        ("\u{1B}", .controlCharacters), ("\u{85}", .controlCharacters),
        ("\u{202E}", .invisibleCharacters), ("\u{2066}", .invisibleCharacters), ("\u{200B}", .invisibleCharacters),
        ("\u{E0041}", .invisibleCharacters), ("\u{2028}", .invisibleCharacters), ("\u{2029}", .invisibleCharacters),
        ("\u{FEFF}", .invisibleCharacters), ("\u{AD}", .invisibleCharacters), ("\u{61C}", .invisibleCharacters),
    ])
    func aCadreNameRefusesControlsAndInvisibles(_ character: String, _ reason: FieldIssue.Reason) {
        let found = issues { $0.cadres = [Cadre(name: "Lò Văn\(character)Minh")] }
        #expect(found == [FieldIssue(field: "cadres[0].name", reason: reason)], "U+\(String(character.unicodeScalars.first!.value, radix: 16))")
    }

    @Test func multiLineFieldsTakeLineFeedsOnly() {
        #expect(issues { $0.results = "Đã rà soát 45 hộ.\nXã đề nghị hỗ trợ giống lúa." }.isEmpty)
        #expect(issues { $0.plan = VisitPlan(hasWrittenPlan: true, summary: "Bước 1\nBước 2") }.isEmpty)
        #expect(issues { $0.results = "Đã rà soát 45 hộ.\r\nXong." } == [FieldIssue(field: "results", reason: .controlCharacters)])
        #expect(issues { $0.communeRequests = "Giống lúa\tngô" } == [FieldIssue(field: "commune_requests", reason: .controlCharacters)])
        #expect(issues { $0.activities[0].description = "Rà soát\u{202E}45 hộ" }
            == [FieldIssue(field: "activities[0].description", reason: .invisibleCharacters)])
        #expect(issues { $0.support[0].unit = "chiếc\ncái" } == [FieldIssue(field: "support[0].unit", reason: .controlCharacters)])
    }

    /// "Mường Nhé" is 13 scalars in NFD and 9 in NFC: the limit is on the NFC text.
    @Test func nfdVietnameseIsMeasuredAfterNFC() {
        let nfd = "Mường Nhé".decomposedStringWithCanonicalMapping
        #expect(nfd.unicodeScalars.count == 13)
        var limits = VisitLimits()
        limits.maxShortText = 9
        #expect(issues(limits: limits) { $0.cadres = [Cadre(name: nfd)] }.isEmpty)
        limits.maxShortText = 8
        #expect(issues(limits: limits) { $0.cadres = [Cadre(name: nfd)] } == [FieldIssue(field: "cadres[0].name", reason: .tooLong, limit: 8)])
        // On raw text too: normalised when its NFC length decides, refused unseen above 3 × limit.
        #expect(TextRules.reason(for: nfd, kind: .singleLine, limit: 9) == nil)
        #expect(TextRules.reason(for: nfd, kind: .singleLine, limit: 8) == .tooLong)
        #expect(TextRules.reason(for: nfd, kind: .singleLine, limit: 4) == .tooLong)
    }

    @Test func fourThousandNFDLettersFit() {
        let letters = String(repeating: "ệ", count: 4000)
        let nfd = letters.decomposedStringWithCanonicalMapping
        #expect(nfd.unicodeScalars.count == 12_000)
        #expect(issues { $0.results = nfd }.isEmpty)
        #expect(TextRules.reason(for: nfd, kind: .multiLine, limit: 4000) == nil)
        #expect(issues { $0.results = nfd + "e" } == [FieldIssue(field: "results", reason: .tooLong, limit: 4000)])
        #expect(issues { $0.results = letters + "ệ" } == [FieldIssue(field: "results", reason: .tooLong, limit: 4000)])
    }

    @Test func windowsLineEndsBecomeLineFeedsOnTheClient() throws {
        #expect(TextRules.unifyingLineEndings("a\r\nb\rc\n\r\nd\r") == "a\nb\nc\n\nd\n")
        #expect(TextRules.unifyingLineEndings("không đổi\n") == "không đổi\n")
        let input = VisitInput(
            commune: "03376", start: "12/03/2019 08:00", end: "13/03/2019 16:00",
            cadres: [.init(name: "Lò Văn Minh", position: nil)], plan: .init(written: true, summary: "Bước 1\r\nBước 2"),
            activities: [.init(category: "1", description: "Rà soát\r45 hộ")], results: "Xong.\r\nTốt.", communeRequests: "Giống\r\nlúa")
        let visit = try input.resolve(communes: [], now: Self.now)
        #expect(visit.plan.summary == "Bước 1\nBước 2")
        #expect(visit.activities[0].description == "Rà soát\n45 hộ")
        #expect(visit.results == "Xong.\nTốt.")
        #expect(visit.communeRequests == "Giống\nlúa")
        // Everything else is refused with its reason, not stripped.
        var tabbed = input
        tabbed.results = "Xong.\tTốt."
        tabbed.cadres = [.init(name: "Lò\r\nMinh", position: nil)]
        #expect(throws: ValidationError([
            FieldIssue(field: "cadres[0].name", reason: .controlCharacters), FieldIssue(field: "results", reason: .controlCharacters),
        ])) { try tabbed.resolve(communes: [], now: Self.now) }
    }

    @Test func operatorEnteredNamesFollowTheSameRules() {
        #expect(Agency(code: "SYT", name: "Sở Y tế", kind: "so").nameIssue(field: "name") == nil)
        #expect(Agency(code: "SYT", name: " ", kind: "so").nameIssue(field: "name") == FieldIssue(field: "name", reason: .required))
        #expect(Agency(code: "SYT", name: "Sở Y tế\u{202E}", kind: "so").nameIssue(field: "name")?.reason == .invisibleCharacters)
        #expect(Agency(code: "SYT", name: "Sở Y tế\nSở Giả", kind: "so").nameIssue(field: "name")?.reason == .controlCharacters)
        #expect(Agency(code: "SYT", name: String(repeating: "ở", count: 201), kind: "so").nameIssue(field: "name")?.reason == .tooLong)
        #expect(Decision.numberIssue("708/QĐ-UBND", field: "number") == nil)
        #expect(Decision.numberIssue("  ", field: "number")?.reason == .required)
        #expect(Decision.numberIssue("708/QĐ\u{2066}-UBND", field: "number")?.reason == .invisibleCharacters)
    }

    /// The scan reads UTF-8 bytes with shortcuts for Vietnamese ranges: for every scalar (each
    /// one- to four-byte form), wherever it sits, it must say what the scalar properties say.
    @Test func byteScanAgreesWithScalarProperties() {
        var values = Array(UInt32(0)...0xFFFF)
        values += [0x1_0000, 0x1_F600, 0x1_F1FB, 0x1_D167, 0x1_E944, 0x2_0000, 0xE_0001, 0xE_0041, 0xE_007F, 0xE_0100, 0x10_FFFF]
        for value in values {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let category = scalar.properties.generalCategory
            let isMark = [.nonspacingMark, .spacingMark, .enclosingMark].contains(category)
                || scalar.properties.canonicalCombiningClass != .notReordered
            let isInvisible = [.format, .lineSeparator, .paragraphSeparator].contains(category)
            let isControl = category == .control
            #expect(TextRules.isControlOrInvisible(scalar) == (isControl || isInvisible), "U+\(String(value, radix: 16))")
            for text in [String(scalar), "Lò \(scalar)", "\(scalar)ế"] {
                let scan = TextRules.Scan(text)
                let comment = Comment(rawValue: "U+\(String(value, radix: 16)) in \(text.unicodeScalars.map { String($0.value, radix: 16) })")
                #expect(scan.scalars == text.unicodeScalars.count, comment)
                #expect(scan.longestMarkRun == (isMark ? 1 : 0), comment)
                #expect(scan.invisibles == isInvisible, comment)
                #expect(scan.lineFeeds == (value == 0x0A), comment)
                #expect(scan.otherControls == (isControl && value != 0x0A), comment)
            }
        }
        #expect(TextRules.Scan("a\u{301}\u{323}b\u{301}\u{323}\u{302}").longestMarkRun == 3)
    }
}
