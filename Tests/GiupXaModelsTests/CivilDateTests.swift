import Foundation
@testable import GiupXaModels
import Testing

/// The local date of an instant, computed by arithmetic, is the calendar's.
@Suite struct CivilDateTests {
    /// 1900-01-01 00:00 and 10000-01-01 00:00 in UTC+7.
    private static let first: TimeInterval = -2_208_988_800 - 25_200, end: TimeInterval = 253_402_300_800 - 25_200

    private func byCalendar(_ date: Date) -> [Int] {
        let c = VietnameseFormat.calendar.dateComponents([.year, .month, .day], from: date)
        return [c.year!, c.month!, c.day!]
    }

    private func fields(_ date: CivilDate) -> [Int] { [date.year, date.month, date.day] }

    @Test func arithmeticAgreesWithTheCalendarFrom1900To9999() {
        var generator = SystemRandomNumberGenerator()
        var instants: [TimeInterval] = [Self.first, Self.first + 0.5, -25_200, -25_201, 0, -1, 951_782_400 - 25_200, Self.end - 0.5]
        // Every local midnight, and just before it, from 1999 to 2031; then random instants.
        var midnight = CivilDate(year: 1999, month: 1, day: 1)!.startOfDay.timeIntervalSince1970
        while midnight < CivilDate(year: 2031, month: 1, day: 1)!.startOfDay.timeIntervalSince1970 {
            instants += [midnight, midnight - 1, midnight - 0.001]
            midnight += 86_400
        }
        for _ in 0..<20_000 { instants.append(Double.random(in: Self.first..<Self.end, using: &generator)) }
        var disagreements: [TimeInterval] = []
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            guard let civil = CivilDate.arithmetic(date), fields(civil) == byCalendar(date) else {
                disagreements.append(instant)
                continue
            }
        }
        let (count, firstFew) = (disagreements.count, Array(disagreements.prefix(5)))
        #expect(count == 0, "instants where they differ, the first few: \(firstFew)")
    }

    @Test func outsideItsRangeTheCalendarAnswers() {
        for instant in [Self.first - 1, Self.end, Self.end + 86_400 * 400] {
            let date = Date(timeIntervalSince1970: instant)
            #expect(CivilDate.arithmetic(date) == nil)
            #expect(fields(CivilDate(date)) == byCalendar(date))
        }
        #expect(CivilDate.arithmetic(Date(timeIntervalSince1970: .infinity)) == nil)
        #expect(CivilDate.arithmetic(Date(timeIntervalSince1970: .nan)) == nil)
    }
}
