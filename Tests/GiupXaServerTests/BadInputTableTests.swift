import Crypto
import Foundation
import GiupXaClient
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaServer
import GiupXaStorage
import NIOCore
import Testing

/// Hostile and broken input, one row each: what is sent, what must come back, and after every
/// row a check that the server still serves a good client.
@Suite struct BadInputTableTests {
    enum Expect: Sendable {
        /// The server closes without a word (a truncated or silent peer).
        case closedSilently
        /// GOAWAY with this code and a message containing the text, then close.
        case goAway(StatusCode, String)
        /// STATUS on call 1 with this code and a message containing the text.
        case status(StatusCode, String)
        /// SubmitVisits answered: the first result has this outcome, status code and message text.
        case visit(Giupxa_V1_VisitResult.Outcome, StatusCode, String)
        /// SubmitVisits answered with these outcomes, in order.
        case outcomes([Giupxa_V1_VisitResult.Outcome])
        /// GOAWAY with this code and this `last_call_id`.
        case goAwayAfter(StatusCode, lastCallID: UInt32)
        /// A RESPONSE on call 1, whatever it holds.
        case answered
        /// The server's HELLO: the connection was accepted.
        case accepted
        /// A PONG with this body.
        case pong([UInt8])
    }

    struct Row: Sendable {
        var name: String
        var bytes: @Sendable (Keys) -> [UInt8]
        var expect: Expect
        /// For v2 rows: the flight whose handshake state reads the server's encrypted answer.
        var secured: (@Sendable (Keys) -> SecuredFlight)? = nil

        init(name: String, bytes: @escaping @Sendable (Keys) -> [UInt8], expect: Expect) {
            self.name = name
            self.bytes = bytes
            self.expect = expect
        }

        /// A v2 (secured) row: the bytes are the flight's.
        init(name: String, secured: @escaping @Sendable (Keys) -> SecuredFlight, expect: Expect) {
            self.name = name
            self.bytes = { secured($0).bytes }
            self.expect = expect
            self.secured = secured
        }
    }

    /// Secrets the rows need.
    struct Keys: Sendable {
        var good: String
        var revoked: String
        /// An operator's credential: operator methods only.
        var operatorCredential: SecureCredential
        /// A v2 first flight already accepted once: sending it again is a replay.
        var captured: SecuredFlight
        var credential: SecureCredential { SecureCredential(parsing: good)! }
    }

    /// A v2 HELLO: no secret, the anti-replay counter instead.
    static func securedHello(agency: String = "STNMT", counter: UInt64) -> Frame {
        var hello = Giupxa_V1_ClientHello()
        hello.clientName = "bad-input-table"
        hello.credential.agencyCode = agency
        hello.language = "en"
        hello.handshakeCounter = counter
        return MessageCodec.clientHello(hello)
    }

    static var now: UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    // MARK: Building bytes

    static let preamble: [UInt8] = [0x47, 0x58, 0x01, 0x01]

    static func bytes(_ frames: [Frame]) -> [UInt8] {
        var buffer = ByteBuffer()
        for frame in frames { frame.write(to: &buffer) }
        return Array(buffer.readableBytesView)
    }

    static func hello(
        _ secret: String, agency: String = "STNMT", clientName: String = "bad-input-table", context: Bool = false, lzma2: Bool = false
    ) -> Frame {
        var hello = Giupxa_V1_ClientHello()
        hello.compressionContext = context
        hello.compressionContextLzma2 = lzma2
        hello.clientName = clientName
        hello.credential.agencyCode = agency
        hello.credential.secret = secret
        hello.language = "en"
        return MessageCodec.clientHello(hello)
    }

    /// Preamble + a good HELLO + `frames`.
    static func authed(_ keys: Keys, _ frames: [Frame]) -> [UInt8] {
        preamble + bytes([hello(keys.good)] + frames)
    }

    static func raw(_ header: UInt8, callID: [UInt8] = [0x01], body: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer(bytes: [header] + callID)
        Varint.write(UInt32(body.count), to: &buffer)
        buffer.writeBytes(body)
        return Array(buffer.readableBytesView)
    }

    static func request(method: UInt32, message: [UInt8], flags: FrameFlags = [], callID: UInt32 = 1) -> Frame {
        var body = ByteBuffer()
        Varint.write(method, to: &body)
        body.writeBytes(message)
        return Frame(type: .request, flags: flags, callID: callID, body: body)
    }

    static let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!

    static func visit(_ change: (inout Giupxa_V1_Visit) -> Void = { _ in }) -> Giupxa_V1_Visit {
        var wire = Giupxa_V1_Visit(Visit(
            communeCode: "03376", start: start, end: start.addingTimeInterval(2 * 86_400),
            cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc Sở")],
            plan: VisitPlan(hasWrittenPlan: true, summary: "Rà soát hộ nghèo"),
            activities: [Activity(category: .socioEconomicReview, description: "Rà soát 45 hộ")],
            support: [SupportItem(description: "Chăn ấm", quantity: 20, unit: "chiếc", valueVND: 4_000_000)]))
        change(&wire)
        return wire
    }

    static func submit(_ visits: [Giupxa_V1_Visit]) -> Frame {
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = visits
        return MessageCodec.request(callID: 1, method: .submitVisits, message: request)
    }

    static func submitOne(_ keys: Keys, _ change: @escaping (inout Giupxa_V1_Visit) -> Void) -> [UInt8] {
        authed(keys, [submit([visit(change)])])
    }

    /// The id of a visit pipelined behind a refused HELLO: it must never be stored.
    static let neverStoredID = Data(repeating: 0xEE, count: 16)

    static let otherAgencysAssignment = DefaultData.sampleAssignments.first { $0.agencyCode != "STNMT" && $0.role == .lead }!
    static let otherAgencysCommune = otherAgencysAssignment.communeCode
    /// Stored for another agency before the rows run.
    static let otherAgencysVisit = Visit(
        agencyCode: otherAgencysAssignment.agencyCode, communeCode: otherAgencysCommune, start: start, end: start.addingTimeInterval(86_400),
        cadres: [Cadre(name: "Lò Thị Mai")])

    // MARK: The table

    static let rows: [Row] = [
        // Framing and connection start
        Row(name: "truncated preamble, then silence", bytes: { _ in [0x47, 0x58] }, expect: .closedSilently),
        Row(name: "an HTTP request", bytes: { _ in Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) }, expect: .goAway(.internal, "bad preamble")),
        Row(name: "unknown protocol version", bytes: { _ in [0x47, 0x58, 0x09, 0x09] }, expect: .goAway(.failedPrecondition, "no common protocol version")),
        Row(name: "a first byte other than G, alone", bytes: { _ in [0x48] }, expect: .goAway(.internal, "bad preamble")),
        Row(name: "HELLO on call id 1", bytes: { keys in preamble + raw(0x00, callID: [0x01], body: Array(hello(keys.good).body.readableBytesView)) }, expect: .goAway(.internal, "HELLO")),
        Row(name: "HELLO with a compression flag", bytes: { keys in preamble + raw(0x01, callID: [0x00], body: Array(hello(keys.good).body.readableBytesView)) }, expect: .goAway(.internal, "HELLO")),
        Row(name: "first frame is not HELLO", bytes: { _ in preamble + bytes([request(method: 1, message: [])]) }, expect: .goAway(.internal, "must be HELLO")),
        Row(name: "HELLO of garbage", bytes: { _ in preamble + raw(0x00, callID: [0x00], body: [0xFF, 0xFF, 0xFF]) }, expect: .goAway(.internal, "malformed HELLO")),
        Row(name: "HELLO above its size limit", bytes: { _ in preamble + [0x00, 0x00, 0x80, 0x80, 0x04] }, expect: .goAway(.resourceExhausted, "exceeds the limit")),
        Row(name: "truncated HELLO, then silence", bytes: { keys in Array((preamble + bytes([hello(keys.good)])).dropLast(5)) }, expect: .closedSilently),
        Row(name: "unknown agency", bytes: { keys in preamble + bytes([hello(keys.good, agency: "NOPE")]) }, expect: .goAway(.unauthenticated, "Unknown credential")),
        Row(name: "wrong secret", bytes: { _ in preamble + bytes([hello("gx1_not-the-secret")]) }, expect: .goAway(.unauthenticated, "credential")),
        Row(name: "wrong secret, with a SubmitVisits pipelined behind the HELLO", bytes: { _ in
            preamble + bytes([hello("gx1_not-the-secret"), submit([visit { $0.id = Self.neverStoredID }])])
        }, expect: .goAway(.unauthenticated, "credential")),
        Row(name: "another agency's credential", bytes: { keys in preamble + bytes([hello(keys.good, agency: "SYT")]) }, expect: .goAway(.unauthenticated, "credential")),
        Row(name: "revoked credential", bytes: { keys in preamble + bytes([hello(keys.revoked)]) }, expect: .goAway(.unauthenticated, "revoked")),
        // The secured (v2) handshake
        Row(name: "replayed v2 handshake (captured message 1 sent again)", secured: { keys in keys.captured },
            expect: .goAway(.aborted, "anti-replay counter must be above")),
        Row(name: "v2 handshake counter behind the last one seen", secured: { keys in
            try! SecuredFlight(credential: keys.credential, frames: [securedHello(counter: 1)])
        }, expect: .goAway(.aborted, "anti-replay counter must be above")),
        Row(name: "v2 handshake for another server's key", secured: { keys in
            let other = Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation
            return try! SecuredFlight(credential: SecureCredential(secret: keys.credential.secret, serverPublicKey: other), frames: [securedHello(counter: now)])
        }, expect: .goAway(.unauthenticated, "Secure handshake failed")),
        Row(name: "v2 message 1 with one flipped byte", secured: { keys in
            var flight = try! SecuredFlight(credential: keys.credential, frames: [securedHello(counter: now)])
            flight.bytes[60] ^= 0x01
            return flight
        }, expect: .goAway(.unauthenticated, "Secure handshake failed")),
        Row(name: "v2 handshake with a key the server never issued", secured: { keys in
            let stranger = SecureCredential.generate(serverPublicKey: keys.credential.serverPublicKey)
            return try! SecuredFlight(credential: stranger, frames: [securedHello(counter: now)])
        }, expect: .goAway(.unauthenticated, "Unknown credential")),
        Row(name: "v2 HELLO naming another agency", secured: { keys in
            try! SecuredFlight(credential: keys.credential, frames: [securedHello(agency: "SYT", counter: now)])
        }, expect: .goAway(.unauthenticated, "not this agency's")),
        Row(name: "v2 message 1 whose payload does not start with HELLO", secured: { keys in
            try! SecuredFlight(credential: keys.credential, frames: [request(method: 1, message: [])])
        }, expect: .goAway(.internal, "must be HELLO")),
        Row(name: "v2 HELLO that still carries a secret (ignored)", secured: { keys in
            var hello = Giupxa_V1_ClientHello()
            hello.clientName = "bad-input-table"
            hello.credential.agencyCode = "STNMT"
            hello.credential.secret = "gx2_not-even-a-credential"
            hello.handshakeCounter = now
            return try! SecuredFlight(credential: keys.credential, frames: [MessageCodec.clientHello(hello)])
        }, expect: .accepted),
        Row(name: "v2 HELLO with a client name above 64 bytes", secured: { keys in
            var hello = Giupxa_V1_ClientHello()
            hello.clientName = String(repeating: "x", count: 65)
            hello.credential.agencyCode = "STNMT"
            hello.handshakeCounter = now
            return try! SecuredFlight(credential: keys.credential, frames: [MessageCodec.clientHello(hello)])
        }, expect: .goAway(.internal, "client_name")),
        Row(name: "an operator credential naming an agency", secured: { keys in
            try! SecuredFlight(credential: keys.operatorCredential, frames: [securedHello(agency: "STNMT", counter: now)])
        }, expect: .goAway(.unauthenticated, "not this agency's")),
        // Issue 15, finding 2: bytes held before authentication are capped (PROTOCOL.md §12.2).
        Row(name: "v2 message 1 with an incomplete HELLO, then junk streamed behind it", secured: { keys in
            let hello = bytes([securedHello(counter: now)])
            return try! SecuredFlight(credential: keys.credential, payload: Array(hello.dropLast(3)), extra: Array(repeating: 0xAB, count: 200_000))
        }, expect: .goAway(.resourceExhausted, "before the server's handshake answer")),
        // Finding 11: a v1 credential is checked whole, its server-key half too.
        Row(name: "v1 credential with another server's key half", bytes: { keys in
            let other = SecureCredential(secret: keys.credential.secret, serverPublicKey: Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation)
            return preamble + bytes([hello(other.text)])
        }, expect: .goAway(.unauthenticated, "Unknown credential")),
        Row(name: "v2 forged record right behind message 1", secured: { keys in
            try! SecuredFlight(credential: keys.credential, frames: [securedHello(counter: now)], extra: [0x00, 0x20] + Array(repeating: 0xAB, count: 32))
        }, expect: .closedSilently),
        // Authorization
        Row(name: "an agency method with an operator credential", secured: { keys in
            try! SecuredFlight(credential: keys.operatorCredential, frames: [securedHello(agency: "", counter: now), request(method: 1, message: [])])
        }, expect: .status(.permissionDenied, "for agency credentials")),
        Row(name: "another agency's visits", bytes: { keys in
            var request = Giupxa_V1_ListVisitsRequest(); request.agencyCode = "SYT"
            return authed(keys, [MessageCodec.request(callID: 1, method: .listVisits, message: request)])
        }, expect: .status(.permissionDenied, "only its own visits")),
        Row(name: "client name above 64 bytes", bytes: { keys in preamble + bytes([hello(keys.good, clientName: String(repeating: "x", count: 65))]) }, expect: .goAway(.internal, "client_name")),
        // Frames after the handshake
        Row(name: "unknown frame type", bytes: { keys in authed(keys, []) + raw(0x80, body: []) }, expect: .goAway(.internal, "unknown frame type 8")),
        Row(name: "reserved flag bit", bytes: { keys in authed(keys, []) + raw(0x18, body: [0x01]) }, expect: .goAway(.internal, "reserved flag")),
        Row(name: "non-minimal call id varint", bytes: { keys in authed(keys, []) + raw(0x10, callID: [0x81, 0x00], body: [0x01]) }, expect: .goAway(.internal, "malformed varint")),
        Row(name: "frame above the size limit", bytes: { keys in authed(keys, []) + [0x10, 0x01, 0x80, 0x80, 0x80, 0x01] }, expect: .goAway(.resourceExhausted, "exceeds the limit")),
        Row(name: "request on call id 0", bytes: { keys in authed(keys, [request(method: 1, message: [], callID: 0)]) }, expect: .goAway(.internal, "does not increase")),
        Row(name: "call ids going backwards", bytes: { keys in authed(keys, [request(method: 1, message: [], callID: 5), request(method: 1, message: [], callID: 3)]) }, expect: .goAway(.internal, "call id 3 does not increase")),
        Row(name: "a second HELLO", bytes: { keys in authed(keys, [hello(keys.good)]) }, expect: .goAway(.internal, "not sent by clients after HELLO")),
        Row(name: "PING", bytes: { keys in authed(keys, [Frame(type: .ping, callID: 0, body: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8]))]) },
            expect: .pong([1, 2, 3, 4, 5, 6, 7, 8])),
        Row(name: "a refused call still uses up its id", bytes: { keys in
            authed(keys, [request(method: 99, message: [], callID: 1), request(method: 1, message: [], callID: 1)])
        }, expect: .goAway(.internal, "call id 1 does not increase")),
        Row(name: "a frame body of exactly the frame limit", bytes: { keys in
            // ListAssignments (method 1) whose message is one unknown field (15, bytes) padding the body to 256 KiB.
            let length = 256 << 10 - 1 - 1 - 3
            var body = ByteBuffer(bytes: [0x01, 0x7A])
            Varint.write(UInt32(length), to: &body)
            body.writeBytes(Array(repeating: 0x41, count: length))
            precondition(body.readableBytes == 256 << 10)
            return authed(keys, [Frame(type: .request, callID: 1, body: body)])
        }, expect: .answered),
        Row(name: "a compressed message under 96 bytes", bytes: { keys in
            var flags = FrameFlags(); flags.compression = .deflateRaw
            return authed(keys, [request(method: 1, message: [0x03, 0x00], flags: flags)])  // raw deflate of nothing
        }, expect: .answered),
        Row(name: "a visit id that is no UUID version (any 16 bytes)", bytes: { keys in
            submitOne(keys) { $0.id = Data(repeating: 0xFF, count: 16) }
        }, expect: .visit(.stored, .ok, "")),
        Row(name: "a visit with more than 10 issues", bytes: { keys in
            submitOne(keys) { visit in
                visit.cadres = (0..<12).map { _ in var cadre = Giupxa_V1_Cadre(); cadre.name = ""; return cadre }
            }
        }, expect: .visit(.rejected, .invalidArgument, "and 2 more")),
        Row(name: "a visit repeated in one batch", bytes: { keys in
            let twice = visit { $0.id = Data(repeating: 0xDD, count: 16) }
            return authed(keys, [submit([twice, twice])])
        }, expect: .outcomes([.stored, .alreadyStored])),
        Row(name: "a connection error after call 5", bytes: { keys in
            authed(keys, [request(method: 99, message: [], callID: 5)]) + raw(0x80, body: [])
        }, expect: .goAwayAfter(.internal, lastCallID: 5)),
        Row(name: "a RESPONSE from the client", bytes: { keys in authed(keys, []) + raw(0x20, body: []) }, expect: .goAway(.internal, "unexpected response frame")),
        Row(name: "a STATUS from the client", bytes: { keys in authed(keys, []) + raw(0x30, body: []) }, expect: .goAway(.internal, "unexpected status frame")),
        Row(name: "ListAssignments on a day that does not exist", bytes: { keys in
            var request = Giupxa_V1_ListAssignmentsRequest(); request.onDay = 2019_13_40
            return authed(keys, [MessageCodec.request(callID: 1, method: .listAssignments, message: request)])
        }, expect: .status(.invalidArgument, "on_day")),
        Row(name: "ListVisits with an unreadable page token", bytes: { keys in
            var request = Giupxa_V1_ListVisitsRequest(); request.pageToken = Data([0xDE, 0xAD])
            return authed(keys, [MessageCodec.request(callID: 1, method: .listVisits, message: request)])
        }, expect: .status(.invalidArgument, "page_token")),
        Row(name: "AmendVisits above the batch limit", bytes: { keys in
            var request = Giupxa_V1_AmendVisitsRequest()
            request.amendments = (0..<11).map { _ in var a = Giupxa_V1_Amendment(); a.visit = visit(); a.baseRevision = 1; return a }
            return authed(keys, [MessageCodec.request(callID: 1, method: .amendVisits, message: request)])
        }, expect: .status(.invalidArgument, "amendments: has too many items")),
        Row(name: "a report over more than 3660 days", bytes: { keys in
            var request = Giupxa_V1_ComplianceReportRequest(); request.fromDay = 2000_01_01; request.toDay = 2020_12_31
            return authed(keys, [MessageCodec.request(callID: 1, method: .complianceReport, message: request)])
        }, expect: .status(.invalidArgument, "3660")),
        // §4.5: the checks run in order; each of these fails two, and the earlier one answers.
        Row(name: "broken metadata and broken compression: metadata answers", bytes: { keys in
            var flags = FrameFlags.metadata; flags.compression = .deflateRaw
            return authed(keys, [request(method: 2, message: [0x7F, 0xFF, 0x00], flags: flags)])
        }, expect: .status(.invalidArgument, "malformed call metadata")),
        Row(name: "unknown method and broken compression: decompression answers", bytes: { keys in
            var flags = FrameFlags(); flags.compression = .deflateRaw
            return authed(keys, [request(method: 99, message: [0xFF, 0x00, 0x13, 0x37], flags: flags)])
        }, expect: .status(.invalidArgument, "not valid raw deflate")),
        Row(name: "unknown method and a message that does not parse: the lookup answers", bytes: { keys in
            authed(keys, [request(method: 99, message: [0x0A, 0xFF, 0x01])])
        }, expect: .status(.unimplemented, "method 99")),
        Row(name: "unknown method", bytes: { keys in authed(keys, [request(method: 99, message: [])]) }, expect: .status(.unimplemented, "method 99")),
        Row(name: "request without a method number", bytes: { keys in authed(keys, [Frame(type: .request, callID: 1, body: ByteBuffer())]) }, expect: .status(.invalidArgument, "malformed method number")),
        Row(name: "metadata flag with a broken length", bytes: { keys in authed(keys, [request(method: 1, message: [0x7F], flags: .metadata)]) }, expect: .status(.invalidArgument, "malformed call metadata")),
        Row(name: "protobuf garbage", bytes: { keys in authed(keys, [request(method: 2, message: [0x0A, 0xFF, 0x01])]) }, expect: .status(.invalidArgument, "malformed")),
        Row(name: "broken compression", bytes: { keys in
            var flags = FrameFlags(); flags.compression = .deflateRaw
            return authed(keys, [request(method: 2, message: [0xFF, 0x00, 0x13, 0x37], flags: flags)])
        }, expect: .status(.invalidArgument, "not valid raw deflate")),
        Row(name: "a compression bomb", bytes: { keys in
            var flags = FrameFlags(); flags.compression = .deflateRaw
            let bomb = Deflate.compressIfSmaller(ByteBuffer(repeating: 0, count: 4 << 20))!
            return authed(keys, [request(method: 2, message: Array(bomb.readableBytesView), flags: flags)])
        }, expect: .status(.resourceExhausted, "inflates beyond")),
        Row(name: "context compression not agreed in the HELLO", bytes: { keys in
            var flags = FrameFlags(); flags.compression = .contextStream
            return authed(keys, [request(method: 2, message: [0x00], flags: flags)])
        }, expect: .status(.unimplemented, "compression mode 3")),
        Row(name: "a mode-3 message that is not deflate, stream agreed", bytes: { keys in
            var flags = FrameFlags(); flags.compression = .contextStream
            return preamble + bytes([hello(keys.good, context: true), request(method: 2, message: [0xFF, 0x00, 0x13, 0x37], flags: flags)])
        }, expect: .goAway(.invalidArgument, "not valid in the connection's compression stream")),
        Row(name: "a mode-3 message that stops short of its sync flush", bytes: { keys in
            // The first 2 bytes of a real piece of the stream: valid so far, but not at a block boundary.
            let piece = ContextDeflater(dictionary: nil).compress(ByteBuffer(repeating: 0x41, count: 300))!
            var flags = FrameFlags(); flags.compression = .contextStream
            return preamble + bytes([hello(keys.good, context: true), request(method: 2, message: Array(piece.readableBytesView.prefix(2)), flags: flags)])
        }, expect: .goAway(.invalidArgument, "not valid in the connection's compression stream")),
        Row(name: "a mode-3 piece that ends the stream (BFINAL)", bytes: { keys in
            let whole = Deflate.compressIfSmaller(ByteBuffer(repeating: 0x41, count: 300))!
            var flags = FrameFlags(); flags.compression = .contextStream
            return preamble + bytes([hello(keys.good, context: true), request(method: 2, message: Array(whole.readableBytesView), flags: flags)])
        }, expect: .goAway(.invalidArgument, "not valid in the connection's compression stream")),
        Row(name: "a mode-3 request without a method number", bytes: { keys in
            var flags = FrameFlags(); flags.compression = .contextStream
            return preamble + bytes([hello(keys.good, context: true), Frame(type: .request, flags: flags, callID: 1, body: ByteBuffer())])
        }, expect: .goAway(.invalidArgument, "not valid in the connection's compression stream")),
        Row(name: "a mode-3 compression bomb", bytes: { keys in
            let piece = ContextDeflater(dictionary: nil).compress(ByteBuffer(repeating: 0, count: 17 << 20))!
            var flags = FrameFlags(); flags.compression = .contextStream
            return preamble + bytes([hello(keys.good, context: true), request(method: 2, message: Array(piece.readableBytesView), flags: flags)])
        }, expect: .goAway(.resourceExhausted, "inflates beyond")),
        Row(name: "an LZMA2 mode-3 message that is not LZMA2, stream agreed", bytes: { keys in
            var flags = FrameFlags(); flags.compression = .contextStream
            return preamble + bytes([hello(keys.good, lzma2: true), request(method: 2, message: [0x00, 0x13, 0x37], flags: flags)])
        }, expect: .goAway(.invalidArgument, "not valid in the connection's compression stream")),
        Row(name: "an LZMA2 mode-3 message that stops inside a chunk", bytes: { keys in
            let piece = LZMA2ContextEncoder(dictionary: nil).compress(ByteBuffer(repeating: 0x41, count: 20_000))!
            var flags = FrameFlags(); flags.compression = .contextStream
            return preamble + bytes([hello(keys.good, lzma2: true), request(method: 2, message: Array(piece.readableBytesView.dropLast(2)), flags: flags)])
        }, expect: .goAway(.invalidArgument, "not valid in the connection's compression stream")),
        Row(name: "an LZMA2 mode-3 compression bomb", bytes: { keys in
            let piece = LZMA2ContextEncoder(dictionary: nil).compress(ByteBuffer(repeating: 0, count: 17 << 20))!
            var flags = FrameFlags(); flags.compression = .contextStream
            return preamble + bytes([hello(keys.good, lzma2: true), request(method: 2, message: Array(piece.readableBytesView), flags: flags)])
        }, expect: .goAway(.resourceExhausted, "inflates beyond")),
        Row(name: "dictionary compression without a dictionary agreed in the HELLO", bytes: { keys in
            var flags = FrameFlags(); flags.compression = .deflateDictionary
            return authed(keys, [request(method: 2, message: [0x03, 0x00], flags: flags)])
        }, expect: .status(.unimplemented, "needs a dictionary agreed in the HELLO")),
        Row(name: "invalid UTF-8 in a visit", bytes: { keys in
            // SubmitVisitsRequest{visits: Visit{commune_code: FF FE}}
            authed(keys, [request(method: 2, message: [0x0A, 0x04, 0x12, 0x02, 0xFF, 0xFE])])
        }, expect: .status(.invalidArgument, "malformed")),
        Row(name: "trace id above 64 bytes", bytes: { keys in
            var metadata = Giupxa_V1_CallMetadata(); metadata.traceID = String(repeating: "t", count: 65)
            return authed(keys, [MessageCodec.request(callID: 1, method: .listAssignments, metadata: metadata, message: Giupxa_V1_ListAssignmentsRequest())])
        }, expect: .status(.invalidArgument, "trace_id")),
        Row(name: "too many visits in one call", bytes: { keys in authed(keys, [submit(Array(repeating: visit(), count: 11))]) }, expect: .status(.invalidArgument, "visits: has too many items")),
        // Issue 15, finding 4: lists are counted on the wire before a decode (WireShape).
        Row(name: "half a million empty visits, deflated", bytes: { keys in
            var flags = FrameFlags(); flags.compression = .deflateRaw
            let empty = Deflate.compressIfSmaller(ByteBuffer(bytes: Array([UInt8]([0x0A, 0x00]).repeated(500_000))))!
            return authed(keys, [request(method: 2, message: Array(empty.readableBytesView), flags: flags)])
        }, expect: .status(.invalidArgument, "visits: has too many items")),
        Row(name: "a visit with 51 cadres", bytes: { keys in submitOne(keys) { $0.cadres = Array(repeating: $0.cadres[0], count: 51) } },
            expect: .status(.invalidArgument, "visits[0].cadres: has too many items")),
        Row(name: "an amendment with 31 activities", bytes: { keys in
            var request = Giupxa_V1_AmendVisitsRequest()
            var amendment = Giupxa_V1_Amendment()
            amendment.visit = visit { $0.activities = Array(repeating: $0.activities[0], count: 31) }
            amendment.baseRevision = 1
            request.amendments = [amendment]
            return authed(keys, [MessageCodec.request(callID: 1, method: .amendVisits, message: request)])
        }, expect: .status(.invalidArgument, "amendments[0].activities: has too many items")),
        Row(name: "a visit whose cadre carries a thousand unknown fields", bytes: { keys in
            // Visit{…, cadres: Cadre{name: "A", field 15 × 1000}}, built by hand: a decoder keeps unknown fields.
            let cadre: [UInt8] = [0x0A, 0x01, 0x41] + Array([UInt8]([0x7A, 0x00]).repeated(1000))
            var visitBytes = ByteBuffer(bytes: Array(MessageCodec.serialize(visit { $0.cadres = [] }).readableBytesView) + [0x2A])
            Varint.write(UInt32(cadre.count), to: &visitBytes)
            visitBytes.writeBytes(cadre)
            var message = ByteBuffer(bytes: [0x0A])
            Varint.write(UInt32(visitBytes.readableBytes), to: &message)
            message.writeBuffer(&visitBytes)
            return authed(keys, [request(method: 2, message: Array(message.readableBytesView))])
        }, expect: .status(.invalidArgument, "visits[0].cadres[0]: has too many items (at most 32)")),
        Row(name: "a group tag ahead of a pile of empty visits", bytes: { keys in
            // Field 15 as a start and end group, then visits the scan must still count.
            authed(keys, [request(method: 2, message: [0x7B, 0x7C] + Array([UInt8]([0x0A, 0x00]).repeated(20)))])
        }, expect: .status(.invalidArgument, "request: has an invalid format")),
        // Finding 11: another agency's visit id is said to be taken, without its revision.
        Row(name: "another agency's visit id", bytes: { keys in submitOne(keys) { $0.id = otherAgencysVisit.id.wireBytes } },
            expect: .visit(.conflict, .alreadyExists, "already taken")),
        // Domain validation, per visit
        Row(name: "end before start", bytes: { keys in submitOne(keys) { $0.endTime = $0.startTime - 60 } }, expect: .visit(.rejected, .invalidArgument, "visits[0].end: end must be after start")),
        Row(name: "no cadre", bytes: { keys in submitOne(keys) { $0.cadres = [] } }, expect: .visit(.rejected, .invalidArgument, "visits[0].cadres: is required")),
        Row(name: "negative support value", bytes: { keys in submitOne(keys) { $0.support[0].valueVnd = -1 } }, expect: .visit(.rejected, .invalidArgument, "visits[0].support[0].value_vnd: must not be negative")),
        Row(name: "text too long", bytes: { keys in submitOne(keys) { $0.results = String(repeating: "ả", count: 4001) } }, expect: .visit(.rejected, .invalidArgument, "visits[0].results: is too long")),
        Row(name: "unknown activity category", bytes: { keys in submitOne(keys) { $0.activities[0].category = Giupxa_V1_ActivityCategory(rawValue: 42)! } }, expect: .visit(.rejected, .invalidArgument, "unknown activity category (42)")),
        Row(name: "visit id of 3 bytes", bytes: { keys in submitOne(keys) { $0.id = Data([1, 2, 3]) } }, expect: .visit(.rejected, .invalidArgument, "visits[0].id: has an invalid format")),
        Row(name: "unknown commune", bytes: { keys in submitOne(keys) { $0.communeCode = "99999" } }, expect: .visit(.rejected, .invalidArgument, "no commune has this code (99999)")),
        Row(name: "another agency's commune", bytes: { keys in submitOne(keys) { $0.communeCode = otherAgencysCommune } }, expect: .visit(.rejected, .permissionDenied, "not assigned to this commune")),
        Row(name: "a visit outside its assignment period", bytes: { keys in submitOne(keys) {
            $0.startTime = Int64(VietnameseFormat.parseDateTime("12/03/2023 08:00")!.timeIntervalSince1970)
            $0.endTime = $0.startTime + 86_400
        } }, expect: .visit(.rejected, .permissionDenied, "no decision assigns this commune")),
        Row(name: "a cadre name with a right-to-left override", bytes: { keys in submitOne(keys) {
            $0.cadres[0].name = "Lò Văn\u{202E}Minh"
        } }, expect: .visit(.rejected, .invalidArgument, "visits[0].cadres[0].name: contains invisible characters")),
        Row(name: "results of 100,000 alternating combining marks (never normalised)", bytes: { keys in submitOne(keys) {
            $0.results = "a" + String(repeating: "\u{301}\u{323}", count: 50_000)
        } }, expect: .visit(.rejected, .invalidArgument, "visits[0].results: a character carries too many combining marks")),
        // Finding 6: limits count Unicode scalars, so a ZWJ chain (one grapheme) is too long.
        Row(name: "results of one emoji and 5,000 ZWJ-joined emoji (one grapheme)", bytes: { keys in submitOne(keys) {
            $0.results = "👍" + String(repeating: "\u{200D}👍", count: 5_000)
        } }, expect: .visit(.rejected, .invalidArgument, "visits[0].results: is too long")),
        // Finding 8: a name cannot fake a line of a listing.
        Row(name: "a cadre name with a line break faking a listing line", bytes: { keys in submitOne(keys) {
            $0.cadres[0].name = "Lò Văn Minh\n12/03/2019 08:00  SYT  Keo Lôm"
        } }, expect: .visit(.rejected, .invalidArgument, "visits[0].cadres[0].name")),
        // Finding 9: a claimed agency code full of newlines and escapes is refused like any
        // unknown one (LogInjectionTests reads what the log then holds).
        Row(name: "a HELLO whose agency code carries newlines and an escape sequence", bytes: { keys in
            preamble + bytes([hello(keys.good, agency: "STNMT\n2026-12-04 info stored\u{1B}[2J")])
        }, expect: .goAway(.unauthenticated, "Unknown credential")),
        Row(name: "NFD names are accepted and normalised", bytes: { keys in submitOne(keys) {
            $0.cadres[0].name = "Quàng Văn Thắng".decomposedStringWithCanonicalMapping
        } }, expect: .visit(.stored, .ok, "")),
    ]

    @Test(.timeLimit(.minutes(3)))
    func everyBadInputGetsItsAnswerAndTheServerKeepsServing() async throws {
        #expect(Self.rows.count >= 30)
        var limits = ProtocolLimits()
        limits.maxFrameBytes = 256 << 10
        limits.maxMessageBytes = 1 << 20
        limits.maxVisitsPerBatch = 10
        // A short handshake timeout, for the rows that go silent half-way through the handshake.
        let server = try await TestServer.start(limits: limits, handshakeTimeout: 1)
        defer { server.stop() }
        let issuer = CredentialIssuer(store: server.store)
        _ = try await issuer.issue(for: .agency(code: "STNMT"), replacing: false)
        let revoked = try await issuer.issue(for: .agency(code: "STNMT"), replacing: true).text
        // Rotation revoked the first secret; revoke the new one too and issue the good one last.
        _ = try await server.store.revokeCredentials(of: .agency(code: "STNMT"), id: nil, now: Date())
        let good = try await issuer.issue(for: .agency(code: "STNMT"), replacing: false).text
        let operatorCredential = SecureCredential(parsing: try await issuer.issue(for: .operator(name: "Lò Thị Hoa"), replacing: false).text)!
        let captured = try SecuredFlight(credential: SecureCredential(parsing: good)!, frames: [Self.securedHello(counter: Self.now)])
        let keys = Keys(good: good, revoked: revoked, operatorCredential: operatorCredential, captured: captured)
        let goodServer = TestServer.Good(port: server.port, secret: good)
        let seeded = try await server.store.submitVisits(
            [Self.otherAgencysVisit], agencyCode: Self.otherAgencysVisit.agencyCode, credentialID: nil, receivedAt: Date())
        #expect(seeded == [.stored(revision: 1)])

        // The captured flight is a good one the first time.
        let first = try await RawClient.exchange(port: server.port, bytes: captured.bytes, decode: captured.decode) { frames in
            frames.contains { $0.type == .hello || $0.type == .goAway }
        }
        #expect(first.frames.first?.type == .hello, "a fresh v2 handshake is accepted: \(first.frames.map(\.type))")

        for row in Self.rows {
            let expect = row.expect
            // Built once: a v2 flight's random ephemeral key is needed to read the answer.
            let flight = row.secured?(keys)
            let exchange = try await RawClient.exchange(
                port: server.port, bytes: flight?.bytes ?? row.bytes(keys), decode: flight?.decode ?? RawClient.decode
            ) { frames in
                switch expect {
                case .accepted: frames.contains { $0.type == .hello || $0.type == .goAway }
                case .pong: frames.contains { $0.type == .pong || $0.type == .goAway }
                default: frames.contains { $0.type == .goAway || ($0.callID == 1 && ($0.type == .status || $0.type == .response)) }
                }
            }
            check(row.name, expect, exchange)
            // §4.3: a server never sends REQUEST or CANCEL, whatever it was sent.
            #expect(!exchange.frames.contains { $0.type == .request || $0.type == .cancel }, "\(row.name): the server sent a client frame")
            #expect(try await goodServer.servesAGoodClient(), "after \(row.name): the server no longer serves")
        }
        // The NFD name was stored in NFC.
        let stored = try await server.store.visits(VisitQuery(agencyCode: "STNMT")).visits
        #expect(Set(stored.map { $0.visit.cadres[0].name }) == ["Quàng Văn Thắng".precomposedStringWithCanonicalMapping, "Lò Văn Minh"])
        #expect(stored.count == 3, "the NFD name, the 16-byte id and the visit repeated in one batch, once")
        // §3.4: the SubmitVisits pipelined behind a refused HELLO never ran.
        #expect(!stored.contains { $0.visit.id.wireBytes == Self.neverStoredID })
        // And the visit whose id is no UUID version kept its 16 bytes.
        #expect(stored.contains { $0.visit.id.wireBytes == Data(repeating: 0xFF, count: 16) })
    }

    func check(_ name: String, _ expect: Expect, _ exchange: RawClient.Exchange) {
        let comment = Comment(rawValue: "\(name): got \(exchange.frames.map { "\($0.type)/\($0.callID)" }), closed \(exchange.closed)")
        switch expect {
        case .closedSilently:
            #expect(exchange.closed, comment)
            #expect(!exchange.frames.contains { $0.type == .status || $0.type == .response }, comment)
        case .goAway(let code, let text):
            guard let frame = exchange.frames.first(where: { $0.type == .goAway }),
                  let goAway = try? MessageCodec.decode(Giupxa_V1_GoAway.self, from: frame.body)
            else { Issue.record(comment); return }
            #expect(StatusCode(rawValue: goAway.status.code) == code, comment)
            #expect(goAway.status.message.contains(text), "\(name): \(goAway.status.message)")
        case .status(let code, let text):
            guard let frame = exchange.frames.first(where: { $0.callID == 1 && $0.type == .status }),
                  let status = try? MessageCodec.decode(Giupxa_V1_Status.self, from: frame.body)
            else { Issue.record(comment); return }
            #expect(StatusCode(rawValue: status.code) == code, comment)
            #expect(status.message.contains(text), "\(name): \(status.message)")
        case .visit(let outcome, let code, let text):
            guard let frame = exchange.frames.first(where: { $0.callID == 1 && $0.type == .response }),
                  let message = try? MessageCodec.openMessage(frame.body, compression: frame.flags.compression, limits: .default),
                  let response = try? MessageCodec.decode(Giupxa_V1_SubmitVisitsResponse.self, from: message),
                  let result = response.results.first
            else { Issue.record(comment); return }
            #expect(result.outcome == outcome, "\(name): \(result.outcome) \(result.status.message)")
            if outcome != .stored && outcome != .alreadyStored { #expect(result.revision == 0, "\(name): revision \(result.revision)") }
            #expect(StatusCode(rawValue: result.status.code) == code, "\(name): \(result.status.code)")
            #expect(text.isEmpty || result.status.message.contains(text), "\(name): \(result.status.message)")
        case .outcomes(let outcomes):
            guard let frame = exchange.frames.first(where: { $0.callID == 1 && $0.type == .response }),
                  let message = try? MessageCodec.openMessage(frame.body, compression: frame.flags.compression, limits: .default),
                  let response = try? MessageCodec.decode(Giupxa_V1_SubmitVisitsResponse.self, from: message)
            else { Issue.record(comment); return }
            #expect(response.results.map(\.outcome) == outcomes, comment)
        case .goAwayAfter(let code, let lastCallID):
            guard let frame = exchange.frames.first(where: { $0.type == .goAway }),
                  let goAway = try? MessageCodec.decode(Giupxa_V1_GoAway.self, from: frame.body)
            else { Issue.record(comment); return }
            #expect(StatusCode(rawValue: goAway.status.code) == code, comment)
            #expect(goAway.lastCallID == lastCallID, comment)
        case .answered:
            #expect(exchange.frames.contains { $0.callID == 1 && $0.type == .response }, comment)
        case .accepted:
            #expect(exchange.frames.first?.type == .hello, comment)
        case .pong(let body):
            let pong = exchange.frames.first { $0.type == .pong }
            #expect(pong.map { Array($0.body.readableBytesView) } == body, comment)
            #expect(pong?.callID == 0 && pong?.flags == [], comment)
        }
    }
}

extension TestServer {
    /// Just what the good-client check needs, so rows cannot disturb it.
    struct Good: Sendable {
        var port: Int
        var secret: String
        /// One counter for every check, as a device keeps one across connections.
        var counters = InMemoryHandshakeCounter()

        func servesAGoodClient() async throws -> Bool {
            let client = try AgencyClient(host: "127.0.0.1", port: port, agencyCode: "STNMT", secret: secret, language: .en, counters: counters)
            let connection = try await client.connect()
            defer { Task { await connection.close() } }
            let response = try await connection.call(
                .listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self, timeout: .seconds(10))
            return response.assignments.count == 3
        }
    }
}

extension Array {
    func repeated(_ count: Int) -> [Element] { Array(Swift.repeatElement(self, count: count).joined()) }
}
