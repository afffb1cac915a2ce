import Foundation
import GiupXaMessages
import GiupXaProtocol
import GiupXaServer
import Testing

/// Issue 15, finding 9: what a peer claims before authentication (its agency code) and its
/// trace id after it reach the log escaped: no forged line, no terminal escape sequence.
@Suite struct LogInjectionTests {
    @Test func aClaimedAgencyCodeAndATraceIDCannotForgeLogLines() async throws {
        let logs = CapturedLogs()
        let server = try await TestServer.start(logger: logs.logger)
        defer { server.stop() }
        let forged = "STNMT\n2026-12-04T00:00:00 info giupxa : stored\u{1B}[2J"
        // A wrong secret, so the claimed code is logged with the refusal.
        _ = try await RawClient.exchange(
            port: server.port, bytes: BadInputTableTests.preamble + BadInputTableTests.bytes([BadInputTableTests.hello("gx2_wrong", agency: forged)])
        ) { $0.contains { $0.type == .goAway } }
        // A good HELLO and a call whose trace id carries the same.
        var metadata = Giupxa_V1_CallMetadata()
        metadata.traceID = "t\r\nfake line\u{1B}]0;owned\u{07}\u{202E}"
        // SubmitVisits logs what it received, with the call's metadata.
        let call = MessageCodec.request(callID: 1, method: .submitVisits, metadata: metadata, message: Giupxa_V1_SubmitVisitsRequest())
        _ = try await RawClient.exchange(
            port: server.port, bytes: BadInputTableTests.preamble + BadInputTableTests.bytes([BadInputTableTests.hello(server.secret), call])
        ) { $0.contains { $0.callID == 1 } }
        try await Task.sleep(for: .milliseconds(100))

        let lines = logs.lines.map(\.text)
        let refusal = try #require(lines.first { $0.contains("authentication refused") }, "\(lines)")
        #expect(refusal.contains("STNMT\\u{A}2026"))
        let traced = try #require(lines.first { $0.contains("giupxa.trace=") }, "\(lines)")
        #expect(traced.contains("t\\u{D}\\u{A}fake line\\u{1B}]0;owned\\u{7}\\u{202E}"))
        for line in lines {
            #expect(!line.unicodeScalars.contains { $0.properties.generalCategory == .control || $0 == "\u{202E}" }, "\(line)")
        }
    }
}
