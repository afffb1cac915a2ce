import GiupXaModels
import Testing

/// Numbers typed the Vietnamese way are read as meant; what could mean two things is refused.
@Suite struct NumberInputTests {
    @Test(arguments: [
        ("20", 20.0), ("1.000", 1000), ("2,5", 2.5), ("2.5", 2.5), ("1.000,5", 1000.5), ("1,000.5", 1000.5),
        ("1 000", 1000), ("1\u{00A0}000", 1000), ("4,000,000", 4_000_000), ("12,50", 12.5), ("0,25", 0.25), (" 7 ", 7),
    ])
    func quantities(_ text: String, _ expected: Double) throws {
        #expect(try NumberInput.quantity(text).get() == expected, "\(text)")
    }

    @Test(arguments: [
        ("15.000.000", Int64(15_000_000)), ("15.000.000 đ", 15_000_000), ("15.000.000đ", 15_000_000), ("4000000", 4_000_000),
        ("15 000 000 VND", 15_000_000), ("4,000,000", 4_000_000), ("1.000", 1000), ("4.000.000,00", 4_000_000), ("0", 0),
    ])
    func amounts(_ text: String, _ expected: Int64) throws {
        #expect(try NumberInput.amount(text).get() == expected, "\(text)")
    }

    @Test func aCommaBeforeThreeDigitsHasTwoReadingsAndIsRefused() {
        #expect(throws: NumberInput.Failure.ambiguous(thousands: "1000", decimal: "1,000")) { try NumberInput.quantity("1,000").get() }
        #expect(throws: NumberInput.Failure.ambiguous(thousands: "2500", decimal: "2,500")) { try NumberInput.amount("2,500").get() }
        let issue = NumberInput.Failure.ambiguous(thousands: "1000", decimal: "1,000")
            .issue(field: "support[0].quantity", value: "1,000", example: NumberInput.quantityExample)
        #expect(issue.message(.vi) == "support[0].quantity: không rõ nghĩa (1,000): có thể là 1000 hoặc 1,000; hãy viết rõ, ví dụ 20; 1.000; 2,5")
    }

    @Test(arguments: ["", "abc", "1..000", "1.00.000", "1,2,3", "1.000.5", "-5", "5 kg", ",5", "1.", "1 00", "1.000,5,5"])
    func refused(_ text: String) {
        #expect(throws: NumberInput.Failure.self, "\(text)") { try NumberInput.quantity(text).get() }
    }

    @Test func amountsAreWholeDong() {
        #expect(throws: NumberInput.Failure.notWhole) { try NumberInput.amount("1.000,5").get() }
        #expect(throws: NumberInput.Failure.negative) { try NumberInput.amount("-1.000").get() }
        #expect(throws: NumberInput.Failure.tooLarge) { try NumberInput.amount("99.999.999.999.999.999.999").get() }
    }
}
