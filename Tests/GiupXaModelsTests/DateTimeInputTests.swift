import Foundation
import GiupXaModels
import Testing

/// Every form the help promises is read as the same moment; a day without a time is refused.
@Suite struct DateTimeInputTests {
    /// 12/03/2019 08:00 in UTC+7.
    static let eight = Date(timeIntervalSince1970: 1_552_352_400)

    @Test(arguments: [
        "12/03/2019 08:00", "12/03/2019 8:00", "12/3/2019 08:00", "12/03/2019 8h", "12/03/2019 8h00", "12/03/2019 08g00",
        " 12/03/2019  08:00 ", "12-03-2019 08:00", "2019-03-12 08:00", "2019-03-12T08:00", "2019-03-12T08:00:00",
        "2019-03-12T08:00:00+07:00", "2019-03-12T08:00+0700", "2019-03-12T01:00:00Z", "2019-03-12T01:00:00.000Z",
        "2019-03-11T20:00:00-05:00",
    ])
    func readsTheSameMoment(_ text: String) throws {
        #expect(try DateTimeInput.parse(text).get() == Self.eight, "\(text)")
    }

    @Test func aDayAloneNeedsATime() throws {
        #expect(throws: DateTimeInput.Failure.missingTime) { try DateTimeInput.parse("12/03/2019").get() }
        #expect(throws: DateTimeInput.Failure.missingTime) { try DateTimeInput.parse("2019-03-12").get() }
        #expect(try DateTimeInput.parse("12/03/2019", requireTime: false).get() == Self.eight.addingTimeInterval(-8 * 3600))
        let issue = DateTimeInput.issue(.missingTime, field: "start", value: "12/03/2019")
        #expect(issue.message(.vi) == "start: sai định dạng (12/03/2019); ví dụ: 12/03/2019 08:00")
        #expect(issue.message(.en) == "start: has an invalid format (12/03/2019); for example: 12/03/2019 08:00")
    }

    @Test(arguments: ["", "hôm qua", "32/03/2019 08:00", "12/13/2019 08:00", "12/03/2019 24:00", "12/03/2019 8:7", "12/03/2019 8h300",
                      "2019-3-12 08:00", "2019-03-12T08:00+25:00", "12/03/2019 08:00+07:00", "12/03/2019 08"])
    func refused(_ text: String) {
        #expect(throws: DateTimeInput.Failure.self, "\(text)") { try DateTimeInput.parse(text).get() }
    }
}
