import Crypto
import Foundation
import GiupXaProtocol
import NIOCore
import NIOEmbedded
import Testing

/// The v2 record layer end to end, client and server handlers in one process: bytes are
/// shuttled by hand so the test sees exactly what a listener on the path would.
@Suite struct SecureChannelTests {
    let serverKey: Curve25519.KeyAgreement.PrivateKey
    let credential: SecureCredential

    init() {
        serverKey = Curve25519.KeyAgreement.PrivateKey()
        credential = SecureCredential.generate(serverPublicKey: serverKey.publicKey.rawRepresentation)
    }

    struct Pair {
        let client = EmbeddedChannel()
        let server = EmbeddedChannel()
        let session = SecureSession()
        let credential: SecureCredential

        init(credential: SecureCredential, serverKey: Curve25519.KeyAgreement.PrivateKey) throws {
            self.credential = credential
            try client.pipeline.syncOperations.addHandler(SecureClientHandler(credential: credential))
            try server.pipeline.syncOperations.addHandler(SecureServerHandler(staticKey: serverKey, session: session))
        }

        /// Everything the client has sent so far, as it crosses the network.
        func clientWire() throws -> [UInt8] { try drain(client) }
        func serverWire() throws -> [UInt8] { try drain(server) }

        private func drain(_ channel: EmbeddedChannel) throws -> [UInt8] {
            var bytes: [UInt8] = []
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
            return bytes
        }

        /// Writes without waiting: the handlers keep a write's promise until its bytes leave,
        /// which for a client before message 2 is later.
        static func send(_ channel: EmbeddedChannel, _ buffer: ByteBuffer, flush: Bool = true) {
            if flush { channel.writeAndFlush(buffer, promise: nil) } else { channel.write(buffer, promise: nil) }
        }

        static func received(_ channel: EmbeddedChannel) throws -> [UInt8] {
            var bytes: [UInt8] = []
            while let buffer = try channel.readInbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
            return bytes
        }
    }

    static let secretText = Array("Giàng Thị Dợ rà soát 38 hộ nghèo bản Na Sang".utf8)

    @Test func trafficIsEncryptedBothWaysAndTheFirstFlightRidesInMessage1() throws {
        let pair = try Pair(credential: credential, serverKey: serverKey)
        var preamble = ByteBuffer()
        SecureChannel.preamble.write(to: &preamble)
        Pair.send(pair.client, preamble, flush: false)
        Pair.send(pair.client, ByteBuffer(bytes: Self.secretText))  // stands for HELLO + first call

        let flight1 = try pair.clientWire()
        #expect(Array(flight1.prefix(4)) == [0x47, 0x58, 0x02, 0x02], "the preamble stays in clear")
        #expect(flight1.count == 4 + 2 + 96 + Self.secretText.count, "message 1 costs 98 bytes beyond its payload")
        #expect(!flight1.contains(subsequence: Self.secretText))

        try pair.server.writeInbound(ByteBuffer(bytes: flight1))
        #expect(try Pair.received(pair.server) == [0x47, 0x58, 0x02, 0x02] + Self.secretText)
        #expect(pair.session.remoteStaticKey == credential.verifier.publicKey, "the server learns the client's identity")

        // The connection authenticates the key; the server's first flush becomes message 2.
        pair.session.authenticated(psk: pair.credential.psk)
        Pair.send(pair.server, ByteBuffer(bytes: Self.secretText))
        let flight2 = try pair.serverWire()
        #expect(flight2.count == 2 + 48 + Self.secretText.count, "message 2 costs 50 bytes beyond its payload")
        #expect(!flight2.contains(subsequence: Self.secretText))
        try pair.client.writeInbound(ByteBuffer(bytes: flight2))
        #expect(try Pair.received(pair.client) == Self.secretText)

        // Transport records: 18 bytes each (length + tag), both ways, and large writes split.
        let big = [UInt8](repeating: 0x41, count: 100_000)
        Pair.send(pair.client, ByteBuffer(bytes: big))
        let records = try pair.clientWire()
        #expect(records.count == big.count + 2 * 18, "100 000 bytes take two records")
        try pair.server.writeInbound(ByteBuffer(bytes: records))
        #expect(try Pair.received(pair.server) == big)
        Pair.send(pair.server, ByteBuffer(bytes: Self.secretText))
        let answer = try pair.serverWire()
        #expect(answer.count == Self.secretText.count + 18 && !answer.contains(subsequence: Self.secretText))
        try pair.client.writeInbound(ByteBuffer(bytes: answer))
        #expect(try Pair.received(pair.client) == Self.secretText)
    }

    @Test func callsWrittenBeforeMessage2WaitAndThenLeave() throws {
        let pair = try Pair(credential: credential, serverKey: serverKey)
        var first = ByteBuffer()
        SecureChannel.preamble.write(to: &first)
        first.writeString("hello+call1")
        Pair.send(pair.client, first)
        let flight1 = try pair.clientWire()
        Pair.send(pair.client, ByteBuffer(string: "call2"))
        #expect(try pair.clientWire().isEmpty, "nothing may leave between message 1 and message 2")

        try pair.server.writeInbound(ByteBuffer(bytes: flight1))
        _ = try Pair.received(pair.server)
        pair.session.authenticated(psk: pair.credential.psk)
        Pair.send(pair.server, ByteBuffer(string: "server hello"))
        try pair.client.writeInbound(ByteBuffer(bytes: try pair.serverWire()))
        #expect(try Pair.received(pair.client) == Array("server hello".utf8))
        let queued = try pair.clientWire()
        #expect(queued.count == 5 + 18)
        try pair.server.writeInbound(ByteBuffer(bytes: queued))
        #expect(try Pair.received(pair.server) == Array("call2".utf8))
    }

    @Test func anUnauthenticatedKeyGetsAPlaintextGoAwayTheClientUnderstands() throws {
        let pair = try Pair(credential: credential, serverKey: serverKey)
        var first = ByteBuffer()
        SecureChannel.preamble.write(to: &first)
        first.writeString("hello")
        Pair.send(pair.client, first)
        try pair.server.writeInbound(ByteBuffer(bytes: try pair.clientWire()))
        _ = try Pair.received(pair.server)
        // No `authenticated(psk:)`: the connection refuses, in clear.
        var goAway = ByteBuffer()
        MessageCodec.goAway(status: RPCError(code: .unauthenticated, message: "no").status, lastCallID: 0).write(to: &goAway)
        let expected = Array(goAway.readableBytesView)
        Pair.send(pair.server, goAway)
        let wire = try pair.serverWire()
        #expect(wire == expected && wire.first == SecureChannel.plaintextGoAwayByte)
        try pair.client.writeInbound(ByteBuffer(bytes: wire))
        #expect(try Pair.received(pair.client) == expected)
    }

    @Test func aTamperedRecordClosesTheConnection() throws {
        let pair = try Pair(credential: credential, serverKey: serverKey)
        var first = ByteBuffer()
        SecureChannel.preamble.write(to: &first)
        Pair.send(pair.client, first, flush: false)
        Pair.send(pair.client, ByteBuffer(string: "hello"))
        try pair.server.writeInbound(ByteBuffer(bytes: try pair.clientWire()))
        _ = try Pair.received(pair.server)
        pair.session.authenticated(psk: pair.credential.psk)
        Pair.send(pair.server, ByteBuffer(string: "ok"))
        try pair.client.writeInbound(ByteBuffer(bytes: try pair.serverWire()))
        Pair.send(pair.client, ByteBuffer(string: "a call"))
        var record = try pair.clientWire()
        record[record.count - 1] ^= 0x80
        #expect(throws: SecureChannelError.self) { try pair.server.writeInbound(ByteBuffer(bytes: record)) }
        #expect(!pair.server.isActive)
    }

    @Test func credentialTextRoundTripsAndRejectsDamage() {
        let issued = credential
        #expect(issued.text.count == 90 && issued.text.hasPrefix("gx2_"))
        #expect(SecureCredential(parsing: issued.text) == issued)
        #expect(SecureCredential(parsing: String(issued.text.dropLast())) == nil)
        #expect(SecureCredential(parsing: "gx1_" + issued.text.dropFirst(4)) == nil)
        #expect(SecureCredential(parsing: issued.text + "=") == nil)
        // The verifier is derived, and a different secret gives a different key.
        #expect(issued.verifier.publicKey != SecureCredential.generate(serverPublicKey: issued.serverPublicKey).verifier.publicKey)
        #expect(issued.verifier.publicKey.count == 32 && issued.verifier.psk.count == 32)
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<$0 + subsequence.count]) == subsequence }
    }
}
