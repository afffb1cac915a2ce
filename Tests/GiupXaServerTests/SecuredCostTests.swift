import Foundation
import GiupXaClient
import GiupXaLinkSim
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import Testing

/// What the secured transport costs on the wire against plaintext v1, measured with the real
/// client and server through the link simulator (PROTOCOL.md §12.5 quotes these figures).
@Suite struct SecuredCostTests {
    struct Measure {
        var up: Int
        var down: Int
        var seconds: Double
    }

    /// One connection and one call (ListAssignments), timed from connect to the answer.
    static func oneCall(_ client: AgencyClient) async throws -> Measure {
        let started = ContinuousClock.now
        let connection = try await client.connect()
        _ = try await connection.call(.listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self)
        let elapsed = ContinuousClock.now - started
        let measure = Measure(up: connection.bytes.sent, down: connection.bytes.received, seconds: elapsed.seconds)
        await connection.close()
        return measure
    }

    @Test(.timeLimit(.minutes(2)))
    func securedCostsBytesButNoRoundTripColdOrRepeat() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        // 500 ms each way, no bandwidth limit: time counts round trips. A round trip this long
        // keeps the half-RTT margin below (2 RTT allowed 2.5) wider than the scheduling noise
        // of a loaded machine running the whole suite in parallel.
        let rtt = 1.0
        let profile = LinkProfile(name: "rtt1000", delayMs: 500)
        let simulator = LinkSimulator(upstreamHost: "127.0.0.1", upstreamPort: server.port, profile: profile)
        let (ports, sink) = AsyncStream.makeStream(of: Int.self)
        let relay = Task { try await simulator.run { sink.yield($0) } }
        defer { relay.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())

        // A new client each time it is "cold" (nothing kept from an earlier connection). Each row
        // is the faster of two connections, so one stall of a loaded machine running the whole
        // suite (a SYN dropped and resent after TCP's 1 s timeout, an fsync) is not read as a
        // round trip: an extra round trip of the protocol would slow both by 1 s.
        func client(plaintext: Bool) throws -> AgencyClient {
            try AgencyClient(
                host: "127.0.0.1", port: port, agencyCode: "STNMT", secret: server.secret, language: .vi,
                counters: InMemoryHandshakeCounter(), plaintext: plaintext)
        }
        var rows: [(String, Measure)] = []
        for (name, plaintext) in [("plain v1", true), ("secured v2", false)] {
            let first = try await Self.oneCall(try client(plaintext: plaintext))
            let device = try client(plaintext: plaintext)
            let second = try await Self.oneCall(device)
            rows.append(("\(name), cold", first.seconds <= second.seconds ? first : second))
            let (third, fourth) = (try await Self.oneCall(device), try await Self.oneCall(device))
            rows.append(("\(name), repeat", third.seconds <= fourth.seconds ? third : fourth))
        }
        print("connection + ListAssignments, RTT 1000 ms:")
        for (name, m) in rows {
            print("  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) up \(m.up) B  down \(m.down) B  \(String(format: "%.2f", m.seconds)) s = \(String(format: "%.2f", m.seconds / rtt)) RTT")
        }
        let (plainCold, securedCold, securedRepeat) = (rows[0].1, rows[2].1, rows[3].1)
        // TCP's handshake (charged by the simulator) plus one request and its answer: 2 RTT,
        // secured or not, cold or repeat.
        for (name, m) in rows { #expect(m.seconds < 2.5 * rtt, "\(name) took \(m.seconds) s") }
        #expect(securedCold.seconds < plainCold.seconds + 0.5 * rtt)
        #expect(securedRepeat.up == securedCold.up && securedRepeat.down == securedCold.down, "no state makes a repeat cheaper or dearer")
        // v2: message 1 adds 98 bytes (length 2, e 32, s 48, tag 16) but the HELLO no longer
        // carries the 90-character credential (92 bytes with its tag and length), only the
        // counter (7 bytes); the answer adds message 2 (50 bytes) and one record (18 bytes).
        #expect(securedCold.up - plainCold.up == 98 - 92 + 7)
        #expect(securedCold.down - plainCold.down == 50 + 18)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
