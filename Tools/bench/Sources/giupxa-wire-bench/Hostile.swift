import ArgumentParser
import Crypto
import Foundation
import GiupXaClient
import GiupXaMessages
import GiupXaModels
import GiupXaNoise
import GiupXaProtocol
import NIOCore
import NIOPosix

/// Issue 15's targets, measured on the real `giupxa-server` (one process, this machine):
/// - a client streaming junk behind a valid message 1 (incomplete HELLO): server RSS growth;
/// - each of the worst requests that fit in 64 KiB on the wire, alone: server CPU and peak RSS;
/// - 16 of the costliest at once over 4 connections: a good client's ListAssignments latency.
/// CPU is the sum of every server thread's on-CPU time (/proc/PID/task/*/schedstat); peak RSS is
/// VmHWM after resetting it (/proc/PID/clear_refs).
struct HostileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile",
        abstract: "Hostile input against the real giupxa-server: memory before authentication, CPU and memory per worst call.")

    // Not --bin-dir: the parent command owns that name, and would take the value.
    @Option(help: "Directory holding the giupxa-server to attack (default: this executable's; run.sh builds it there).")
    var serverDir: String?
    @Option(help: "Seconds of junk behind message 1.") var junkSeconds: Double = 10
    @Option(help: "Also write the figures as JSON to this file.") var json: String?

    func run() async throws {
        let bin = serverDir ?? (Bundle.main.executableURL?.deletingLastPathComponent().path ?? ".")
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("giupxa-hostile-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        Children.installSignalHandlers()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try await GiupXaServerProcess.start(binary: "\(bin)/giupxa-server", directory: work)
        defer { server.process.terminate() }
        let probe = ServerProbe(pid: server.process.process.processIdentifier)
        let credential = SecureCredential(parsing: server.secret)!
        var figures: [String: Double] = [:]
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
        print("giupxa-server pid \(probe.pid), port \(server.port); load \(load)")

        // Warm the server up: a first connection, call and visit path.
        let good = try AgencyClient(host: "127.0.0.1", port: server.port, agencyCode: Workload.agency, secret: server.secret, language: .en)
        let goodConnection = try await good.connect()
        _ = try await goodConnection.call(.listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self)

        // 1. Junk behind message 1.
        let junk = try await PreAuthJunk.run(port: server.port, credential: credential, seconds: junkSeconds, probe: probe)
        print(String(format: "pre-auth junk: sent %.1f MiB in %.1f s; server RSS %.1f → peak %.1f MiB (+%.2f MiB, target ≤ 1 MiB); %@",
                     Double(junk.sent) / 1_048_576, junk.seconds, Double(junk.baseline) / 1_048_576, Double(junk.peak) / 1_048_576,
                     Double(junk.peak - junk.baseline) / 1_048_576, junk.closedBy))
        figures["preauth_rss_growth_mib"] = Double(junk.peak - junk.baseline) / 1_048_576

        // 2. Each worst request alone.
        print("\nworst requests, each alone on a fresh secured connection (wire ≤ 64 KiB; targets ≤ 100 ms CPU, ≤ 32 MiB RSS):")
        print("  request                               wire B   inflated B   server CPU ms   peak RSS +MiB   answer")
        var costliest: (name: String, frame: Frame, cpu: Double)?
        for request in HostileRequests.all() {
            let connection = try await good.connect()
            _ = try await connection.call(.listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self)
            try await Task.sleep(for: .milliseconds(200))
            probe.resetPeak()
            let rss = probe.rss()
            let cpu = probe.cpuNanoseconds()
            let answer: String
            do {
                let response = try await connection.start(PreparedCall(rawRequest: request.frame, timeout: .seconds(120)), as: Giupxa_V1_SubmitVisitsResponse.self).response()
                let outcomes = Dictionary(grouping: response.results, by: \.outcome).map { "\($0.key)×\($0.value.count)" }.sorted()
                answer = outcomes.joined(separator: " ")
            } catch let error as RPCError {
                answer = "\(error.code): \(error.message.prefix(48))"
            }
            try await Task.sleep(for: .milliseconds(100))
            let spent = Double(probe.cpuNanoseconds() - cpu) / 1e6
            let grew = Double(probe.peak() - rss) / 1_048_576
            print(String(format: "  %-36@ %7d   %10d   %13.1f   %13.1f   %@", request.name as NSString, request.frame.body.readableBytes,
                         request.inflated, spent, grew, answer))
            figures["cpu_ms.\(request.name)"] = spent
            figures["rss_mib.\(request.name)"] = grew
            if spent > costliest?.cpu ?? -1 { costliest = (request.name, request.frame, spent) }
            await connection.close()
        }

        // 3. 16 of the costliest at once over 4 connections, and a good client meanwhile.
        if let costliest {
            let storm = try await Storm.run(good: good, goodConnection: goodConnection, frame: costliest.frame, probe: probe)
            print(String(format: "\n16 × %@ at once over 4 connections: done in %.2f s, server CPU %.0f ms; good client's ListAssignments: %d answered, slowest %.0f ms (target ≤ 1000 ms)",
                         costliest.name as NSString, storm.seconds, storm.cpuMilliseconds, storm.goodCalls, storm.slowestGood * 1000))
            figures["storm_good_slowest_ms"] = storm.slowestGood * 1000
        }
        await goodConnection.close()
        // SIGTERM, then SIGKILL: a server still busy with hostile calls may not drain in time.
        await server.process.stop()
        if let json {
            try JSONSerialization.data(withJSONObject: figures, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: json))
        }
    }
}

/// The server process's CPU time and memory, from /proc.
struct ServerProbe: Sendable {
    let pid: Int32

    /// On-CPU time of every thread, in nanoseconds.
    func cpuNanoseconds() -> UInt64 {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.reduce(0) { total, task in
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8),
                  let first = text.split(separator: " ").first, let value = UInt64(first) else { return total }
            return total + value
        }
    }

    func rss() -> Int { status("VmRSS:") }
    func peak() -> Int { status("VmHWM:") }

    /// Peak RSS back to the current RSS (Linux: "5" to clear_refs).
    func resetPeak() {
        try? "5".write(toFile: "/proc/\(pid)/clear_refs", atomically: false, encoding: .utf8)
    }

    private func status(_ key: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb * 1024
    }
}

/// A valid message 1 whose HELLO stops 3 bytes short, then junk as fast as the socket takes it.
enum PreAuthJunk {
    struct Result {
        var sent: Int
        var seconds: Double
        var baseline: Int
        var peak: Int
        var closedBy: String
    }

    static func run(port: Int, credential: SecureCredential, seconds: Double, probe: ServerProbe) async throws -> Result {
        var handshake = try HandshakeState(
            pattern: SecureChannel.pattern, initiator: true, prologue: SecureChannel.prologue(preamble: SecureChannel.preamble),
            staticKey: credential.staticKey, remoteStatic: try Curve25519.KeyAgreement.PublicKey(rawRepresentation: credential.serverPublicKey),
            psks: [credential.psk])
        var hello = Giupxa_V1_ClientHello()
        hello.clientName = "hostile"
        hello.credential.agencyCode = Workload.agency
        hello.handshakeCounter = UInt64(Date().timeIntervalSince1970 * 1000) + 10_000
        var payload = ByteBuffer()
        MessageCodec.clientHello(hello).write(to: &payload)
        let message = try handshake.writeMessage(Data(payload.readableBytesView.dropLast(3)))
        var first = ByteBuffer()
        SecureChannel.preamble.write(to: &first)
        first.writeInteger(UInt16(message.count))
        first.writeBytes(message)

        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(received) } }
            .connect(host: "127.0.0.1", port: port).get()
        probe.resetPeak()
        let baseline = probe.rss()
        try await channel.writeAndFlush(first)
        let chunk = ByteBuffer(repeating: 0xAB, count: 64 << 10)
        let start = ContinuousClock.now
        var sent = 0
        let sampler = Task {
            var peak = baseline
            while !Task.isCancelled {
                peak = max(peak, probe.rss())
                try? await Task.sleep(for: .milliseconds(20))
            }
            return peak
        }
        while ContinuousClock.now - start < .seconds(seconds), channel.isActive {
            do {
                try await channel.writeAndFlush(chunk)
                sent += chunk.readableBytes
            } catch {
                break
            }
        }
        let elapsed = ContinuousClock.now - start
        try await Task.sleep(for: .milliseconds(200))
        sampler.cancel()
        let peak = max(await sampler.value, probe.peak())
        let closed = received.closed
        try? await channel.close()
        let goAway = received.bytes.first == SecureChannel.plaintextGoAwayByte
        let how = closed ? "the server closed it after \(String(format: "%.2f", Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds))) s\(goAway ? " with a plaintext GOAWAY" : "")" : "still open"
        return Result(sent: sent, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                      baseline: baseline, peak: peak, closedBy: how)
    }

    final class Received: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private let lock = NSLock()
        private var _bytes: [UInt8] = []
        private var _closed = false
        var bytes: [UInt8] { lock.withLock { _bytes } }
        var closed: Bool { lock.withLock { _closed } }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            lock.withLock { _bytes += buffer.readableBytesView }
        }

        func channelInactive(context: ChannelHandlerContext) { lock.withLock { _closed = true } }
        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
    }
}

/// The requests: each a REQUEST frame, its message raw-deflated (mode 1), at most 64 KiB.
enum HostileRequests {
    struct Request {
        var name: String
        var frame: Frame
        var inflated: Int
    }

    static let wireLimit = 64 << 10
    static let batch = ProtocolLimits.default.maxVisitsPerBatch
    static let messageLimit = ProtocolLimits.default.maxMessageBytes

    static func all() -> [Request] {
        var requests: [Request] = []
        func add(_ name: String, _ message: ByteBuffer) {
            var flags = FrameFlags()
            flags.compression = .deflateRaw
            guard let deflated = Deflate.compressIfSmaller(message), deflated.readableBytes <= wireLimit else {
                print("  (\(name): does not fit in 64 KiB on the wire, skipped)")
                return
            }
            var body = ByteBuffer()
            Varint.write(Method.submitVisits.rawValue, to: &body)
            var deflatedCopy = deflated
            body.writeBuffer(&deflatedCopy)
            requests.append(Request(name: name, frame: Frame(type: .request, flags: flags, callID: 0, body: body), inflated: message.readableBytes))
        }
        // 8.4 million empty visits (the finding: 1.5 GB of RSS before the wire count).
        add("empty visits, at the limit", ByteBuffer(bytes: Array([UInt8]([0x0A, 0x00]).repeated(messageLimit / 2))))
        // One visit whose results are a base letter and a million alternating marks.
        let marks = "a" + String(String.UnicodeScalarView((0..<1_000_000).map { $0 % 2 == 0 ? "\u{0301}" : "\u{0323}" }))
        add("1M alternating combining marks", submit([visit { $0.results = marks }]))
        // One emoji and 500,000 × (ZWJ + emoji): one grapheme, 3.5 MB.
        let zwj = "👍" + String(repeating: "\u{200D}👍", count: 500_000)
        add("emoji + 500k ZWJ emoji", submit([visit { $0.results = zwj }]))
        // The largest valid batch: every visit the batch limit allows, as much valid text as
        // fits in the message limit.
        add("\(batch) valid visits, at the limit", submit(validBatch(valid: true)))
        add("\(batch) invalid visits, at the limit", submit(validBatch(valid: false)))
        // Cadres at their limit in every visit of a full batch, each refused (no name).
        add("\(batch) visits × 50 empty cadres", submit((0..<batch).map { _ in visit { $0.cadres = Array(repeating: Giupxa_V1_Cadre(), count: 50) } }))
        // Every list of every visit at its limit, each item valid: 45,000 items to decode,
        // validate and store.
        add("\(batch) visits, every list at its limit", submit((0..<batch).map { _ in visit {
            $0.cadres = (0..<50).map { index in var cadre = Giupxa_V1_Cadre(); cadre.name = "Cán bộ \(index)"; return cadre }
            $0.activities = (0..<30).map { _ in var activity = Giupxa_V1_Activity(); activity.category = .infrastructure; return activity }
            $0.support = (0..<100).map { _ in var item = Giupxa_V1_SupportItem(); item.description_p = "Gạo"; item.quantity = 1; item.valueVnd = 1000; return item }
        } }))
        // Unknown fields: kept by the decoder as bytes.
        var unknown = ByteBuffer()
        for _ in 0..<(messageLimit / 3) { unknown.writeBytes([0x7A, 0x01, 0x00]) }
        add("unknown fields, at the limit", unknown)
        return requests
    }

    static func submit(_ visits: [Giupxa_V1_Visit]) -> ByteBuffer {
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = visits
        return MessageCodec.serialize(request)
    }

    static let start = Date(timeIntervalSince1970: 1_552_352_400)  // 12/03/2019 08:00 UTC+7

    static func visit(_ change: (inout Giupxa_V1_Visit) -> Void) -> Giupxa_V1_Visit {
        var wire = Giupxa_V1_Visit(Visit(
            communeCode: "03376", start: start, end: start.addingTimeInterval(86_400),
            cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc Sở")], plan: VisitPlan(hasWrittenPlan: true, summary: "Rà soát hộ nghèo")))
        change(&wire)
        return wire
    }

    /// A full batch filling the message limit with valid text: results and commune requests
    /// up to their limit, 30 activities with descriptions; `valid: false` ends each visit
    /// before it starts.
    static func validBatch(valid: Bool) -> [Giupxa_V1_Visit] {
        let long = String(String(repeating: "Rà soát hộ nghèo bản Keo Lôm 2, ", count: 125).prefix(4000))
        func batch(_ letters: Int) -> [Giupxa_V1_Visit] {
            (0..<Self.batch).map { _ in
                visit {
                    $0.results = String(long.prefix(letters))
                    $0.communeRequests = String(long.prefix(letters))
                    $0.activities = (0..<30).map { _ in
                        var activity = Giupxa_V1_Activity()
                        activity.category = .socioEconomicReview
                        activity.description_p = String(long.prefix(letters / 20))
                        return activity
                    }
                    if !valid { $0.endTime = $0.startTime - 60 }
                }
            }
        }
        var letters = 4000
        while letters > 100, MessageCodec.serialize(submitRequest(batch(letters))).readableBytes > messageLimit - 4096 { letters -= 100 }
        return batch(letters)
    }

    static func submitRequest(_ visits: [Giupxa_V1_Visit]) -> Giupxa_V1_SubmitVisitsRequest {
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = visits
        return request
    }
}

extension Array {
    func repeated(_ count: Int) -> [Element] { Array(Swift.repeatElement(self, count: count).joined()) }
}

/// 16 costly calls at once over 4 connections, a good client's ListAssignments every 50 ms.
enum Storm {
    struct Result {
        var seconds: Double
        var cpuMilliseconds: Double
        var goodCalls: Int
        var slowestGood: Double
    }

    static func run(good: AgencyClient, goodConnection: GiupXaConnection, frame: Frame, probe: ServerProbe) async throws -> Result {
        var connections: [GiupXaConnection] = []
        for _ in 0..<4 {
            let connection = try await good.connect()
            _ = try await connection.call(.listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self)
            connections.append(connection)
        }
        let cpu = probe.cpuNanoseconds()
        let started = ContinuousClock.now
        let goodTask = Task {
            var slowest = 0.0
            var calls = 0
            while !Task.isCancelled {
                let before = ContinuousClock.now
                _ = try? await goodConnection.call(.listAssignments, Giupxa_V1_ListAssignmentsRequest(), as: Giupxa_V1_ListAssignmentsResponse.self)
                let took = ContinuousClock.now - before
                slowest = max(slowest, Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18)
                calls += 1
                try? await Task.sleep(for: .milliseconds(50))
            }
            return (calls, slowest)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in connections {
                for _ in 0..<4 {
                    group.addTask {
                        _ = try? await connection.start(PreparedCall(rawRequest: frame, timeout: .seconds(120)), as: Giupxa_V1_SubmitVisitsResponse.self).response()
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        try await Task.sleep(for: .milliseconds(200))
        goodTask.cancel()
        let (calls, slowest) = await goodTask.value
        for connection in connections { await connection.close() }
        return Result(
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            cpuMilliseconds: Double(probe.cpuNanoseconds() - cpu) / 1e6, goodCalls: calls, slowestGood: slowest)
    }
}
