import GiupXaLinkSim
import NIOCore
import Testing

struct LinkProfileTests {
    @Test func presetsResolveByName() throws {
        #expect(try LinkProfile.named("gprs") == .gprs)
        #expect(try LinkProfile.named("EDGE") == .edge)
        #expect(try LinkProfile.named("none") == .none)
        let gprs = try LinkProfile.named("gprs")
        #expect(gprs.upKbps == 20 && gprs.downKbps == 20 && gprs.delayMs == 300)
        let vsat = try LinkProfile.named("vsat")
        #expect(vsat.upKbps == 256 && vsat.delayMs == 350)
        let flaky = try LinkProfile.named("flaky")
        #expect(flaky.upKbps == 40 && flaky.downKbps == 80 && flaky.cutRandom != nil && flaky.cutMeanBytes == 4096)
    }

    @Test func unknownNameIsAClearError() {
        #expect(throws: LinkProfileError.unknownProfile("lte", known: ["none", "gprs", "edge", "vsat", "flaky"])) {
            try LinkProfile.named("lte")
        }
        let message = LinkProfileError.unknownProfile("lte", known: ["none", "gprs"]).description
        #expect(message.contains("unknown link profile 'lte'") && message.contains("gprs"))
    }

    @Test func stallLongerThanItsPeriodIsRejected() {
        var profile = LinkProfile.none
        profile.stallEveryMs = 100
        profile.stallMs = 100
        #expect(throws: LinkProfileError.self) { try profile.validate() }
    }

    @Test func randomCutsAreSeededAndAverageTheMean() {
        var profile = LinkProfile.flaky
        profile.cutSeed = 7
        let offsets = (0..<2000).map { cutOffset(connection: $0, profile: profile)! }
        #expect(offsets == (0..<2000).map { cutOffset(connection: $0, profile: profile)! })
        let mean = Double(offsets.reduce(0, +)) / Double(offsets.count)
        #expect(mean > 3500 && mean < 4700)
        profile.cutRandom = 1
        #expect(cutOffset(connection: 1, profile: profile) == nil)
    }

    @Test func clockSerialisesChunksAndNeverGoesBackwards() {
        var profile = LinkProfile.none
        profile.delayMs = 100
        profile.jitterMs = 90
        let origin = NIODeadline.uptimeNanoseconds(0)
        var clock = ShapingClock(kbps: 32, profile: profile, origin: origin, generator: SeededGenerator(seed: 1))
        var last = origin
        for _ in 0..<8 {
            let arrival = clock.arrival(bytes: 512, readAt: origin)
            #expect(arrival >= last)
            last = arrival
        }
        // Eight 512-byte chunks at 32 kbit/s occupy the link for 1.024 s, plus ≥ 10 ms delay.
        #expect(last - origin >= .milliseconds(1024 + 10))
    }

    @Test func stallsHoldDeliveryUntilTheWindowEnds() {
        var profile = LinkProfile.none
        profile.stallEveryMs = 1000
        profile.stallMs = 300
        let origin = NIODeadline.uptimeNanoseconds(0)
        var clock = ShapingClock(kbps: nil, profile: profile, origin: origin, generator: SeededGenerator(seed: 1))
        #expect(clock.arrival(bytes: 1, readAt: origin + .milliseconds(500)) == origin + .milliseconds(500))
        #expect(clock.arrival(bytes: 1, readAt: origin + .milliseconds(1100)) == origin + .milliseconds(1300))
    }
}
