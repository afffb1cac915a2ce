import GiupXaLinkSim
import Testing

/// End-to-end over loopback: client → simulator → echo server and back.
@Suite(.timeLimit(.minutes(1)))
struct RelayTests {
    @Test func relaysBytesUnchangedBothWays() async throws {
        let payload = pattern(20_000)
        let (exchange, summary) = try await withSimulator(profile: .none) { port in
            try await roundTrip(port: port, payload: payload, expect: payload.count)
        }
        #expect(exchange.received == payload)
        #expect(summary.connectionsAccepted == 1)
        #expect(summary.connectionsFinished == 1)
        #expect(summary.bytesUp == payload.count)
        #expect(summary.bytesDown == payload.count)
        #expect(summary.cuts == 0)
    }

    @Test func bandwidthLimitSlowsTheUpstream() async throws {
        var profile = LinkProfile.none
        profile.upKbps = 32
        let payload = pattern(4096)
        let (exchange, summary) = try await withSimulator(profile: profile) { port in
            try await roundTrip(port: port, payload: payload, expect: payload.count)
        }
        // 4096 * 8 bits at 32 kbit/s ≈ 1.02 s; lower bound only, machines are noisy.
        #expect(exchange.seconds >= 0.9)
        #expect(exchange.received == payload)
        #expect(summary.bytesUp == 4096)
    }

    @Test func delayAppliesToEachDirection() async throws {
        var profile = LinkProfile.none
        profile.delayMs = 200
        let (exchange, _) = try await withSimulator(profile: profile) { port in
            try await roundTrip(port: port, payload: [0x42], expect: 1)
        }
        #expect(exchange.received == [0x42])
        #expect(exchange.seconds >= 0.4)
    }

    @Test func jitterNeverReordersBytes() async throws {
        var profile = LinkProfile.none
        profile.delayMs = 20
        profile.jitterMs = 15
        profile.downKbps = 2000
        let payload = pattern(8000)
        let (exchange, _) = try await withSimulator(profile: profile) { port in
            try await roundTrip(port: port, payload: payload, expect: payload.count)
        }
        #expect(exchange.received == payload)
    }

    @Test func cutAfterBytesClosesAtExactlyThatCount() async throws {
        var profile = LinkProfile.none
        profile.cutAfterBytes = 600
        let payload = pattern(2000)
        let (exchange, summary) = try await withSimulator(profile: profile) { port in
            // Expect more than can ever arrive: the loop ends only because the link was cut.
            try await roundTrip(port: port, payload: payload, expect: payload.count)
        }
        #expect(summary.cuts == 1)
        #expect(summary.bytesUp + summary.bytesDown == 600)
        #expect(exchange.received.count == summary.bytesDown)
        #expect(exchange.received == Array(payload.prefix(exchange.received.count)))
    }
}
