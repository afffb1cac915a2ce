import Foundation
import GiupXaClient
import Testing

/// The outbox's memory of refused agency dictionaries (PROTOCOL.md §9.5): a refused part is not
/// offered again; after three refusals in a row, one offer a week; an accepted part clears it all.
@Suite struct AgencyHistoryTests {
    @Test func refusalsAreRememberedUntilAnAcceptance() throws {
        let home = ClientHome(directory: FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-ah-\(UUID().uuidString)"))
        let outbox = try home.openOutbox()
        let now = Date()
        let (a, b, c, d): ([UInt8], [UInt8], [UInt8], [UInt8]) = ([1], [2], [3], [4])
        #expect(try outbox.shouldOfferAgencyDictionary(digest: a, now: now))
        try outbox.recordAgencyDictionary(digest: a, accepted: false, now: now)
        #expect(try !outbox.shouldOfferAgencyDictionary(digest: a, now: now))
        #expect(try outbox.shouldOfferAgencyDictionary(digest: b, now: now))
        try outbox.recordAgencyDictionary(digest: b, accepted: true, now: now)
        #expect(try outbox.shouldOfferAgencyDictionary(digest: a, now: now), "an acceptance clears the memory")
        for digest in [a, b, c] { try outbox.recordAgencyDictionary(digest: digest, accepted: false, now: now) }
        #expect(try !outbox.shouldOfferAgencyDictionary(digest: d, now: now.addingTimeInterval(6 * 86_400)), "three refusals in a row")
        #expect(try outbox.shouldOfferAgencyDictionary(digest: d, now: now.addingTimeInterval(7 * 86_400)), "then one offer a week")
        #expect(try !outbox.shouldOfferAgencyDictionary(digest: c, now: now.addingTimeInterval(7 * 86_400)), "never the refused part")
        // Nothing acknowledged: nothing to offer from.
        #expect(try outbox.acknowledgedVisits(newestFirst: 10).isEmpty)
    }
}
