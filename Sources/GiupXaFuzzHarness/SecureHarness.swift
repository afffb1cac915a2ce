import Crypto
import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaNoise
import GiupXaProtocol
import NIOCore
import NIOEmbedded
import SwiftProtobuf

// Shared by the libFuzzer targets (Tools/fuzz) and the replay of the secure-handshake and
// text corpora (Tests/GiupXaProtocolTests/SecureFuzzCorpusReplayTests.swift).

/// The v2 transport's server end and the text rules, fed fuzz inputs. As in `FuzzHarness`, each
/// function returns the problems it found (an empty array: handled); the fuzz targets trap on a
/// problem, the replay test expects none.
public enum SecureHarness {
    // MARK: secure-handshake

    /// How far an input got, for the replay test's check that the corpus reaches past the refusals.
    public enum Reach: Int, Comparable, Sendable {
        case nothing, preamble, refusedInClear, message1, earlyBytesRefused, unauthenticatedGoAway, message2,
            records, corruptRecordClosed
        public static func < (a: Reach, b: Reach) -> Bool { a.rawValue < b.rawValue }
    }

    /// Fixed keys, so that every input replays the same way (the server's ephemeral key is the
    /// handler's own, fresh each time: message 2's bytes vary, what is checked does not).
    static let serverKey = try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Data((1...32).map { UInt8($0) }))
    static let serverPublic = serverKey.publicKey
    static let credential = SecureCredential(
        secret: Data((0..<32).map { UInt8(0xA0 + $0) }), serverPublicKey: serverKey.publicKey.rawRepresentation)
    static let clientStatic = credential.staticKey
    static let clientPublic = clientStatic.publicKey.rawRepresentation
    static let clientEphemeral = try! Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Data((0..<32).map { UInt8(0x40 + $0) }))
    static let psk = credential.psk
    static let preambleBytes: [UInt8] = {
        var buffer = ByteBuffer()
        SecureChannel.preamble.write(to: &buffer)
        return Array(buffer.readableBytesView)
    }()

    /// Byte 0 % 4 is the mode:
    /// - 0: byte 1 = chunk size (0: everything in one read), the rest = what the client sends
    ///   after a v2 preamble the harness puts in front (garbage message 1, lengths, truncation).
    /// - 1: the same without the preamble (v1 pass-through, bad magic, other versions).
    /// - 2: a valid flight: the harness builds message 1 from a fixed credential, the server
    ///   authenticates it and answers, then the harness seals the input's chunks into records.
    /// - 3: the same, but the connection does not authenticate the key: a GOAWAY in clear.
    /// Modes 2 and 3 read a 13-byte header: [0] mode, [1] chunk size for every read (0: whole),
    /// [2] flags (bit 0 corrupt one byte of the records, bit 1 send early bytes, bit 2 the
    /// server replies after the records, bit 3 the first flight is written in two writes),
    /// [3-4] message 1 payload length P, [5-6] server first-flight length S (at least 1; harness bytes;
    /// past 16 KiB the rest goes in records), [7-8] early-byte count E (with bit 1), [9] the
    /// early bytes' value, [10-11] offset of the corrupted byte in the records, [12] its XOR
    /// mask (0 means 1). Then P bytes of payload, then the records' plaintexts, each a 2-byte
    /// big-endian length (at most 65,519) and its bytes, the last cut short by the input's end.
    public static func secureHandshake(_ input: [UInt8]) -> [String] {
        secureHandshakeOutcome(input).problems
    }

    public static func secureHandshakeOutcome(_ input: [UInt8]) -> (problems: [String], reach: Reach) {
        guard let selector = input.first else { return ([], .nothing) }
        var reader = Reader(bytes: input, offset: 1)
        do {
            switch selector % 4 {
            case 0, 1:
                let chunk = Int(reader.byte())
                let stream = (selector % 4 == 0 ? preambleBytes : []) + reader.rest()
                return try raw(stream, chunk: chunk)
            default:
                return try flight(&reader, authenticate: selector % 4 == 2)
            }
        } catch {
            return (["harness setup failed: \(error)"], .nothing)
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset: Int

        mutating func byte() -> UInt8 {
            guard offset < bytes.count else { return 0 }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func u16() -> Int { Int(byte()) << 8 | Int(byte()) }

        mutating func take(_ count: Int) -> [UInt8] {
            let start = min(offset, bytes.count)
            let end = min(start + count, bytes.count)
            offset = end
            return Array(bytes[start..<end])
        }

        mutating func rest() -> [UInt8] { take(bytes.count) }
        var atEnd: Bool { offset >= bytes.count }
    }

    /// A `SecureServerHandler` in an `EmbeddedChannel`, and what came out of it.
    final class Server {
        let channel = EmbeddedChannel()
        let session = SecureSession()
        /// Errors that reached the end of the pipeline.
        var errors: [any Error] = []
        var problems: [String] = []

        init() throws {
            try channel.pipeline.syncOperations.addHandler(SecureServerHandler(staticKey: SecureHarness.serverKey, session: session))
            channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 9443), promise: nil)
        }

        var isOpen: Bool { channel.isActive }

        /// Sends `bytes` in reads of `chunk` bytes (0: one read), until the channel closes. At
        /// most about 64 reads: a 64 KiB stream one byte at a time would cost 50 ms.
        func feed(_ bytes: [UInt8], chunk: Int) {
            let size = chunk == 0 ? bytes.count : max(chunk, bytes.count / 64)
            var offset = 0
            while offset < bytes.count && channel.isActive {
                let end = min(offset + size, bytes.count)
                do {
                    try channel.writeInbound(ByteBuffer(bytes: bytes[offset..<end]))
                } catch {
                    errors.append(error)
                }
                offset = end
                channel.embeddedEventLoop.run()
            }
        }

        /// What the server writes, as its connection does: write(s), then one flush.
        func send(_ writes: [[UInt8]]) {
            for bytes in writes { channel.write(ByteBuffer(bytes: bytes), promise: nil) }
            channel.flush()
            channel.embeddedEventLoop.run()
            do { try channel.throwIfErrorCaught() } catch { errors.append(error) }
        }

        func inbound() -> [UInt8] {
            var bytes: [UInt8] = []
            do {
                while let buffer = try channel.readInbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
            } catch {
                problems.append("something other than bytes went up: \(error)")
            }
            return bytes
        }

        func outbound() -> [UInt8] {
            var bytes: [UInt8] = []
            do {
                while let buffer = try channel.readOutbound(as: ByteBuffer.self) { bytes += buffer.readableBytesView }
            } catch {
                problems.append("something other than bytes went out: \(error)")
            }
            return bytes
        }

        func finish() {
            _ = try? channel.finish(acceptAlreadyClosed: true)
        }
    }

    /// Everything the server sent must be exactly one GOAWAY frame in clear.
    static func checkGoAway(_ bytes: [UInt8], _ when: String) -> [String] {
        guard bytes.first == SecureChannel.plaintextGoAwayByte else {
            return ["\(when): \(bytes.count) bytes went out, not a plaintext GOAWAY (first byte \(bytes.first.map { "\($0)" } ?? "none"))"]
        }
        var buffer = ByteBuffer(bytes: bytes)
        var decoder = FrameDecoder(expectPreamble: false)
        do {
            guard case .frame(let frame)? = try decoder.decode(buffer: &buffer), frame.type == .goAway, buffer.readableBytes == 0 else {
                return ["\(when): the \(bytes.count) bytes out are not one GOAWAY frame"]
            }
            _ = try MessageCodec.decode(Giupxa_V1_GoAway.self, from: frame.body)
        } catch {
            return ["\(when): the GOAWAY does not decode: \(error)"]
        }
        return []
    }

    /// Modes 0 and 1: what must come of arbitrary bytes, worked out from the whole stream.
    static func raw(_ stream: [UInt8], chunk: Int) throws -> (problems: [String], reach: Reach) {
        let server = try Server()
        defer { server.finish() }
        server.feed(stream, chunk: chunk)
        var problems = server.errors.map { "an error reached the pipeline's end: \($0)" }
        let inbound = server.inbound()
        let outbound = server.outbound()
        let isV2 = stream.count >= 4 && stream[0] == 0x47 && stream[1] == 0x58 && stream[3] == SecureChannel.version
        var reach = Reach.nothing
        if stream.isEmpty || (stream[0] == 0x47 && stream.count < 4) {
            // Not yet a preamble: the handler waits.
            if !inbound.isEmpty || !outbound.isEmpty { problems.append("\(inbound.count) bytes up, \(outbound.count) out before a whole preamble") }
        } else if !isV2 {
            // v1 or anything else: passed through untouched for the frame decoder to judge.
            if inbound != stream { problems.append("pass-through changed the stream: \(stream.count) bytes in, \(inbound.count) up") }
            if !outbound.isEmpty { problems.append("\(outbound.count) bytes out on a connection it passes through") }
            if !server.isOpen { problems.append("a passed-through connection was closed") }
        } else {
            reach = .preamble
            let length = stream.count >= 6 ? Int(stream[4]) << 8 | Int(stream[5]) : Int.max
            if inbound != Array(stream.prefix(4)) {
                problems.append("\(inbound.count) bytes went up for a v2 preamble and garbage (only the preamble may)")
            }
            if length != Int.max && stream.count >= 6 + length {
                // A whole message 1 that is not a valid one: refused in clear, closed.
                reach = .refusedInClear
                problems += checkGoAway(outbound, "garbage message 1")
                if server.isOpen { problems.append("still open after refusing message 1") }
            } else {
                if !outbound.isEmpty { problems.append("\(outbound.count) bytes out before message 1 was whole") }
                if !server.isOpen { problems.append("closed before message 1 was whole") }
            }
        }
        return (problems + server.problems, reach)
    }

    /// Harness bytes for the server's first flight and replies: a slice of one fixed pattern.
    static func pattern(_ count: Int, seed: Int) -> [UInt8] {
        Array(patternBytes[(seed & 0xFF)..<((seed & 0xFF) + count)])
    }

    static let patternBytes: [UInt8] = (0..<(65536 + 256)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }

    /// Message 1 for a payload, and the client's handshake state after writing it. The client's
    /// keys are fixed, so both depend on the payload only; most mutations leave the payload as it
    /// was, and this saves two of the nine X25519 operations of a flight.
    nonisolated(unsafe) static var message1Cache: [[UInt8]: (message: Data, client: HandshakeState)] = [:]

    static func message1(_ payload: [UInt8]) throws -> (message: Data, client: HandshakeState) {
        if let cached = message1Cache[payload] { return cached }
        var client = try HandshakeState(
            pattern: SecureChannel.pattern, initiator: true, prologue: SecureChannel.prologue(preamble: SecureChannel.preamble),
            staticKey: clientStatic, ephemeral: clientEphemeral, remoteStatic: serverPublic, psks: [psk])
        let message = try client.writeMessage(Data(payload))
        if message1Cache.count >= 256 { message1Cache.removeAll(keepingCapacity: true) }
        message1Cache[payload] = (message, client)
        return (message, client)
    }

    /// Reads every whole record in `bytes` with `transport`; nil if one does not open or bytes are left.
    static func openRecords(_ bytes: [UInt8], with transport: inout NoiseTransport) -> [UInt8]? {
        var plaintext: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 2 <= bytes.count else { return nil }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            guard offset + 2 + length <= bytes.count else { return nil }
            guard let opened = try? transport.decrypt(Data(bytes[(offset + 2)..<(offset + 2 + length)])) else { return nil }
            plaintext += opened
            offset += 2 + length
        }
        return plaintext
    }

    /// True when `bytes`, read as length-prefixed messages from the start, holds a whole one.
    static func holdsWholeMessage(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 2 else { return false }
        let length = Int(bytes[bytes.startIndex]) << 8 | Int(bytes[bytes.startIndex + 1])
        return bytes.count >= 2 + length
    }

    /// Modes 2 and 3.
    static func flight(_ reader: inout Reader, authenticate: Bool) throws -> (problems: [String], reach: Reach) {
        let chunk = Int(reader.byte())
        let flags = reader.byte()
        let corrupt = flags & 1 != 0, early = flags & 2 != 0, reply = flags & 4 != 0, twoWrites = flags & 8 != 0
        let payloadLength = min(reader.u16(), SecureChannel.maxEarlyData)
        // At least one byte: a connection always answers (HELLO), and an empty flush sends nothing.
        let firstFlightLength = max(reader.u16(), 1)
        let earlyField = reader.u16()
        let earlyCount = early ? earlyField : 0
        let earlyByte = reader.byte()
        let corruptOffset = reader.u16()
        let mask = max(reader.byte(), 1)
        let payload = reader.take(payloadLength)

        var (message1, client) = try message1(payload)
        let earlyBytes = [UInt8](repeating: earlyByte, count: earlyCount)
        let flight1 = preambleBytes + [UInt8(message1.count >> 8), UInt8(message1.count & 0xFF)] + message1 + earlyBytes

        let server = try Server()
        defer { server.finish() }
        var problems: [String] = []
        func done(_ reach: Reach) -> (problems: [String], reach: Reach) { (problems + server.problems, reach) }

        server.feed(flight1, chunk: chunk)
        problems += server.errors.map { "an error reached the pipeline's end before message 2: \($0)" }
        server.errors = []
        let up = server.inbound()
        if up != preambleBytes + payload {
            problems.append("up went \(up.count) bytes for a preamble and a \(payload.count)-byte payload, or other bytes")
        }
        if server.session.remoteStaticKey != clientPublic { problems.append("the session did not learn the client's static key") }
        if earlyCount > SecureChannel.maxEarlyBytes {
            problems += checkGoAway(server.outbound(), "\(earlyCount) early bytes")
            if server.isOpen { problems.append("still open after \(earlyCount) early bytes") }
            return done(.earlyBytesRefused)
        }
        if !server.outbound().isEmpty { problems.append("bytes went out before the server's first flush") }
        if !server.isOpen {
            problems.append("closed after a valid message 1 and \(earlyCount) early bytes")
            return done(.message1)
        }

        guard authenticate else {
            // The connection refuses the key: what it writes goes out in clear, unchanged.
            var goAway = ByteBuffer()
            MessageCodec.goAway(status: RPCError(code: .unauthenticated, message: "unknown key").status, lastCallID: 0).write(to: &goAway)
            let expected = Array(goAway.readableBytesView)
            server.send([expected])
            if server.outbound() != expected { problems.append("the unauthenticated GOAWAY did not go out unchanged, in clear") }
            problems += server.errors.map { "an error reached the pipeline's end: \($0)" }
            return done(.unauthenticatedGoAway)
        }

        // The connection authenticates the key and writes its first flight.
        server.session.authenticated(psk: psk)
        let firstFlight = pattern(firstFlightLength, seed: Int(earlyByte))
        let half = twoWrites ? firstFlight.count / 2 : firstFlight.count
        server.send(twoWrites ? [Array(firstFlight[..<half]), Array(firstFlight[half...])] : [firstFlight])
        let flight2 = server.outbound()
        guard flight2.count >= 2 else {
            problems.append("no message 2 after the first flush (\(flight2.count) bytes)")
            return done(.message1)
        }
        if flight2[0] == SecureChannel.plaintextGoAwayByte { problems.append("message 2 starts like a plaintext GOAWAY") }
        let length2 = Int(flight2[0]) << 8 | Int(flight2[1])
        guard flight2.count >= 2 + length2 else {
            problems.append("message 2 is cut short: \(flight2.count) bytes for a length of \(length2)")
            return done(.message1)
        }
        do {
            let payload2 = try client.readMessage(Data(flight2[2..<(2 + length2)]))
            if Array(payload2) != Array(firstFlight.prefix(SecureChannel.maxServerFirstFlight)) {
                problems.append("message 2 carries \(payload2.count) bytes, not the first \(SecureChannel.maxServerFirstFlight) of the \(firstFlight.count) written")
            }
        } catch {
            problems.append("the client cannot read message 2: \(error)")
            return done(.message1)
        }
        guard var transport = client.transport else {
            problems.append("the handshake did not finish after message 2")
            return done(.message1)
        }
        // Past message 2 nothing but records: the rest of the first flight.
        let overflow = Array(flight2[(2 + length2)...])
        if let rest = openRecords(overflow, with: &transport) {
            if rest != Array(firstFlight.dropFirst(SecureChannel.maxServerFirstFlight)) {
                problems.append("the first flight's records carry \(rest.count) bytes, not the \(max(0, firstFlight.count - SecureChannel.maxServerFirstFlight)) past message 2")
            }
        } else {
            problems.append("\(overflow.count) bytes after message 2 are not records the client opens")
        }

        // The client's records, sealed with its transport keys.
        var plaintexts: [[UInt8]] = []
        var sealed: [UInt8] = []
        var starts: [Int] = []
        while !reader.atEnd {
            let length = min(reader.u16(), SecureChannel.maxRecordPlaintext)
            let plaintext = reader.take(length)
            let record = try transport.encrypt(Data(plaintext))
            starts.append(sealed.count)
            sealed += [UInt8(record.count >> 8), UInt8(record.count & 0xFF)] + record
            plaintexts.append(plaintext)
        }
        // What the server must make of it: every plaintext in order; with early bytes in front,
        // nothing; from a corrupted record on, nothing; closed once a whole (bad) record is in.
        var expected = plaintexts.joined().map { $0 }
        var closes = false
        var reach = plaintexts.isEmpty ? Reach.message2 : Reach.records
        if earlyCount > 0 {
            expected = []
            closes = holdsWholeMessage((earlyBytes + sealed)[...])
            // The early bytes were read as records at the flush already; the channel may be closed.
        } else if corrupt, !sealed.isEmpty {
            let offset = corruptOffset % sealed.count
            sealed[offset] ^= mask
            let damaged = starts.lastIndex { $0 <= offset }!
            expected = plaintexts[..<damaged].joined().map { $0 }
            closes = holdsWholeMessage(sealed[starts[damaged]...])
            reach = closes ? .corruptRecordClosed : .records
        }
        server.feed(sealed, chunk: chunk)
        let delivered = server.inbound()
        // Undamaged: exactly the plaintexts. Damaged: a prefix of what came before the damage,
        // since good records that share a read with the bad one are dropped with it.
        if closes ? !expected.starts(with: delivered) : delivered != expected {
            problems.append("\(delivered.count) bytes went up from the records, \(expected.count) expected (or other bytes)")
        }
        if server.isOpen == closes {
            problems.append(closes ? "still open after a record that cannot open" : "closed, with nothing wrong in the records")
        }
        let rejected = server.errors.filter { error in
            if case SecureChannelError.recordRejected = error { return true }
            return false
        }
        if rejected.count != server.errors.count || rejected.count > 1 || (closes && rejected.isEmpty) {
            problems.append("errors at the pipeline's end: \(server.errors) (only one recordRejected, and only on a close)")
        }
        let after = server.outbound()
        if !after.isEmpty { problems.append("\(after.count) bytes went out while the server only read records") }

        // A reply on the live channel leaves as records, and nothing else.
        if reply && server.isOpen {
            let answer = pattern(1 + Int(earlyByte) * 3, seed: 7)
            server.send([answer])
            let wire = server.outbound()
            if openRecords(wire, with: &transport) != answer {
                problems.append("the server's \(answer.count)-byte reply did not leave as records the client opens (\(wire.count) bytes)")
            }
            if !server.errors.isEmpty { problems.append("errors after the reply: \(server.errors)") }
        }
        return done(reach)
    }

    // MARK: text

    /// Longer inputs are cut here (run.sh also passes -max_len=65536 to this target).
    public static let maxTextInput = 65536
    static let textNow = Date(timeIntervalSince1970: 1_750_000_000)

    /// The text fields of a visit, in the order the input's pieces fill them: the first eight
    /// pieces one each, later ones the list fields round-robin (another cadre, activity, gift).
    static let firstSlots = ["results", "name", "position", "summary", "activity", "support", "unit", "requests"]
    static let laterSlots = ["name", "position", "activity", "support", "unit"]

    /// Vietnamese letters (NFC, both cases), ASCII letters and digits, and the space: text whose
    /// search key must be plain lowercase ASCII.
    static let vietnameseScalars: Set<Unicode.Scalar> = {
        let lower = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệfghiìíỉĩịjklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvwxyỳýỷỹỵz"
            .precomposedStringWithCanonicalMapping
        return Set(lower.unicodeScalars).union(lower.uppercased().precomposedStringWithCanonicalMapping.unicodeScalars)
            .union("0123456789 ".unicodeScalars)
    }()

    /// The input (cut at 64 KiB) split at 0xFF bytes (never in UTF-8) into at most 40 pieces,
    /// each decoded as UTF-8 with U+FFFD for bad bytes. Each piece goes through
    /// `VietnameseText.normalize` and `searchKey`, and all of them into one visit's text fields,
    /// which `VisitValidator` checks.
    public static func text(_ input: [UInt8]) -> [String] {
        textOutcome(input).problems
    }

    public static func textOutcome(_ input: [UInt8]) -> (problems: [String], issues: Int, acceptedNonASCII: Int) {
        let pieces = input.prefix(maxTextInput).split(separator: 0xFF, omittingEmptySubsequences: false).prefix(40)
            .map { String(decoding: $0, as: UTF8.self) }
        var problems: [String] = []
        for (index, piece) in pieces.enumerated() { problems += checkText(piece).map { "piece \(index): \($0)" } }

        var slots: [String: [String]] = [:]
        for (index, piece) in pieces.enumerated() {
            slots[index < 8 ? firstSlots[index] : laterSlots[(index - 8) % laterSlots.count], default: []].append(piece)
        }
        func list(_ slot: String) -> [String] { slots[slot] ?? [] }
        let cadreCount = max(1, list("name").count, list("position").count)
        let supportCount = max(list("support").count, list("unit").count)
        let visit = Visit(
            id: UUID(uuid: (0x01, 0x97, 0, 0, 0, 0, 0x70, 0, 0x80, 0, 0, 0, 0, 0, 0, 1)),
            communeCode: "01234",
            start: textNow.addingTimeInterval(-7200), end: textNow.addingTimeInterval(-3600),
            cadres: (0..<cadreCount).map { i in
                Cadre(name: list("name").element(i) ?? "Lò Văn Pâng", position: list("position").element(i) ?? "")
            },
            plan: VisitPlan(hasWrittenPlan: !list("summary").isEmpty, summary: list("summary").first ?? ""),
            activities: list("activity").enumerated().map { i, text in
                Activity(category: ActivityCategory.allCases[i % ActivityCategory.allCases.count], description: text)
            },
            support: (0..<supportCount).map { i in
                SupportItem(description: list("support").element(i) ?? "Chăn", quantity: 2, unit: list("unit").element(i) ?? "", valueVND: 500_000)
            },
            results: list("results").first ?? "", communeRequests: list("requests").first ?? ""
        ).normalized()

        let validator = VisitValidator()
        let issues = validator.issues(in: visit, now: textNow)
        if validator.issues(in: visit, now: textNow) != issues { problems.append("the validator answers differently twice") }
        for issue in issues { _ = issue.message(.vi) }
        var fields: [(path: String, text: String)] = [("results", visit.results), ("commune_requests", visit.communeRequests),
                                                      ("plan.summary", visit.plan.summary)]
        for (i, cadre) in visit.cadres.enumerated() {
            fields += [("cadres[\(i)].name", cadre.name), ("cadres[\(i)].position", cadre.position)]
        }
        for (i, activity) in visit.activities.enumerated() { fields.append(("activities[\(i)].description", activity.description)) }
        for (i, item) in visit.support.enumerated() {
            fields += [("support[\(i)].description", item.description), ("support[\(i)].unit", item.unit)]
        }
        var acceptedNonASCII = 0
        for field in fields where !issues.contains(where: { $0.field == field.path }) {
            problems += checkAccepted(field.text).map { "\(field.path) accepted: \($0)" }
            if field.text.unicodeScalars.contains(where: { !$0.isASCII }) { acceptedNonASCII += 1 }
        }
        return (problems, issues.count, acceptedNonASCII)
    }

    static func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }  // `==` is canonical equivalence

    /// CoreFoundation's NFC on Linux (swift-corelibs-foundation, `precomposedStringWithCanonicalMapping`)
    /// composes a scalar past U+FFFF as if it were its low 16 bits: U+20065 U+0301 comes out as
    /// U+00E9 "é", U+E0041 (an invisible tag) U+0300 as "À". Not canonically equivalent, so
    /// searchKey of such a text and of its "NFC" differ; the comparison skips these texts (the
    /// replay test pins the toolchain bug, to notice when it is fixed).
    static func hitsSupplementaryComposition(_ text: String) -> Bool {
        var previousIsSupplementary = false
        for scalar in text.unicodeScalars {
            if previousIsSupplementary && !scalar.isASCII { return true }
            previousIsSupplementary = scalar.value > 0xFFFF
        }
        return false
    }

    public static func checkText(_ text: String) -> [String] {
        var problems: [String] = []
        let normalized = VietnameseText.normalize(text)
        if !same(VietnameseText.normalize(normalized), normalized) { problems.append("normalize is not idempotent") }
        // A run of more than TextRules.maxCombiningMarks marks is left as it is (normalising it
        // could take quadratic time) and refused by the validator: the NFC promises are for the rest.
        func normalisable(_ text: String) -> Bool { TextRules.reason(for: text, kind: .multiLine, limit: 1 << 40) != .combiningMarks }
        if normalisable(text) && !same(normalized.precomposedStringWithCanonicalMapping, normalized) { problems.append("normalize's output is not NFC") }
        // searchKey decomposes first: a text and its NFC form (so also its NFD form) share one key
        // when both are normalisable (NFC can lengthen a run: U+0344 becomes U+0308 U+0301).
        let nfc = text.precomposedStringWithCanonicalMapping
        if normalisable(text) && normalisable(nfc) && !hitsSupplementaryComposition(text)
            && !same(VietnameseText.searchKey(nfc), VietnameseText.searchKey(text)) {
            problems.append("searchKey differs between the NFC and NFD forms of one text")
        }
        if normalized.unicodeScalars.allSatisfy({ vietnameseScalars.contains($0) }) {
            let key = VietnameseText.searchKey(normalized)
            let plain = key.unicodeScalars.allSatisfy { (0x61...0x7A).contains($0.value) || (0x30...0x39).contains($0.value) || $0 == " " }
            if !plain || key.hasPrefix(" ") || key.hasSuffix(" ") || key.contains("  ") {
                problems.append("searchKey of Vietnamese letters is not plain lowercase ASCII: \(key.unicodeScalars.map { String($0.value, radix: 16) })")
            }
            if !same(VietnameseText.searchKey(key), key) { problems.append("searchKey is not idempotent on Vietnamese letters") }
        }
        return problems
    }

    /// Whether the validator refuses invisible and direction-changing characters: a probe, so
    /// the target holds both before the text-safety rules (which refuse them) and after.
    public static let validatorRefusesFormatCharacters: Bool = {
        let visit = Visit(
            communeCode: "01234", start: textNow.addingTimeInterval(-7200), end: textNow.addingTimeInterval(-3600),
            cadres: [Cadre(name: "L\u{202E}ò Văn Pâng")])
        return VisitValidator().issues(in: visit, now: textNow).contains { $0.field == "cadres[0].name" }
    }()

    /// What a field the validator let through may hold: NFC, and no control character but LF,
    /// no bidi embedding, override or isolate, no zero-width or BOM character. Before the
    /// text-safety rules, the old rule only: no C0/C1 control but tab, LF and CR.
    public static func checkAccepted(_ text: String) -> [String] {
        var problems: [String] = []
        if !same(text.precomposedStringWithCanonicalMapping, text) { problems.append("not NFC") }
        let strict = validatorRefusesFormatCharacters
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let control = v < 0x20 || (0x7F...0x9F).contains(v)
            let allowedControl = v == 0x0A || (!strict && (v == 0x09 || v == 0x0D))
            let invisible = (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || (0x200B...0x200F).contains(v) || v == 0xFEFF
            if (control && !allowedControl) || (strict && invisible) {
                problems.append("holds U+\(String(v, radix: 16, uppercase: true))")
                break
            }
        }
        return problems
    }
}

extension Array {
    fileprivate func element(_ index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
