// Built only with the Peers trait (the default): part (c) measures GiupXa against gRPC.
#if Peers
import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaMessages

/// Part (c) of issue 6, server capacity: `giupxa-wire-bench capacity`. The real `giupxa-server`
/// and a gRPC peer doing the same storage work (CapacityGRPC.swift), both child processes on
/// loopback, driven by the same load generator (CapacityLoad.swift) in this process.
struct CapacityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Part (c), server capacity: small-call rate and latency, and durable visits ingested per second, GiupXa against gRPC.",
        discussion: "See Tools/bench/README.md, \"Server capacity\".")

    /// --json, --bin-dir, --root, --datagen and --keep-temp are the main command's (ArgumentParser
    /// lets a parent's options follow the subcommand's name, and would take them first).
    @ParentCommand var bench: WireBench
    @Option(parsing: .upToNextOption, help: "Concurrent clients for the small call (default: 1 16 256).")
    var clients: [Int] = [1, 16, 256]
    @Option(help: "Clients for the durable ingest.")
    var ingestClients = 16
    @Option(help: "Fresh visits per SubmitVisits call in the ingest.")
    var ingestBatch = 50
    @Option(help: "Ingest calls each client makes ready (compresses) before the clock starts (default: 40 per second of warm-up and window, enough for 32,000 visits/s of 50).")
    var ingestPrepared: Int?
    @Option(help: "Seconds of warm-up before each measured window.")
    var warmup: Double = 1
    @Option(help: "Seconds measured at each load level.")
    var duration: Double = 5
    @Option(parsing: .upToNextOption, help: "plain, secured or both (default: both).")
    var modes: [Security] = Security.allCases
    @Flag(help: "gRPC clients gzip their messages, as in parts (a)/(b) (default: off, gRPC's own default and its cheaper case).")
    var grpcGzip = false

    func run() async throws {
        let (json, binDir, root, datagen, keepTemp) = (bench.json, bench.binDir, bench.root, bench.datagen, bench.keepTemp)
        let rootURL = URL(fileURLWithPath: root ?? WireBench.defaultRoot)
        let bin = binDir ?? (Bundle.main.executableURL?.deletingLastPathComponent().path ?? ".")
        let serverBinary = "\(bin)/giupxa-server"
        guard FileManager.default.isExecutableFile(atPath: serverBinary) else {
            throw ValidationError("\(serverBinary) not found: build it (Tools/bench/run.sh does) or pass --bin-dir")
        }
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("giupxa-capacity-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        Children.installSignalHandlers()
        defer { if !keepTemp { try? FileManager.default.removeItem(at: work) } }
        let started = ContinuousClock.now
        let loadBefore = Self.loadAverage()

        // The visits, as the wire parts take them.
        let datagenURL = datagen.map { URL(fileURLWithPath: $0) } ?? work.appendingPathComponent("datagen")
        if datagen == nil {
            try Tool.run(Tool.which("python3") ?? "/usr/bin/python3", [
                rootURL.appendingPathComponent("Tools/datagen/generate.py").path, "--out", datagenURL.path, "--seed", "2017", "--scale", "1.0",
            ])
        }
        let workload = try Workload.load(
            datagenDirectory: datagenURL, source: datagen.map { "Tools/datagen output \($0)" } ?? "Tools/datagen/generate.py --seed 2017 --scale 1.0")
        let template = IngestTemplate(workload: workload, visits: ingestBatch, prepared: ingestPrepared ?? Int(((warmup + duration) * 40).rounded(.up)))

        // The servers. GiupXa's rate limit (per agency, every client here is STNMT) is raised out of the way.
        let giupxaDirectory = work.appendingPathComponent("giupxa")
        try FileManager.default.createDirectory(at: giupxaDirectory, withIntermediateDirectories: true)
        let server = try await GiupXaServerProcess.start(binary: serverBinary, directory: giupxaDirectory, rate: 1_000_000_000)
        Children.register(server.process)
        defer { server.process.terminate() }
        let slots = max(clients.max() ?? 1, ingestClients)
        let secrets = try await GiupXaCapacityClient.issueCredentials(database: server.database, count: slots)
        let counters = (0..<slots).map { _ in InMemoryHandshakeCounter() }
        let tls = try TLSMaterial.make()
        let grpc = try await CapacityGRPCServerCommand.start(
            serverBinary: serverBinary, directory: work.appendingPathComponent("grpc"), token: server.secret, tls: tls)
        defer { grpc.0.terminate() }
        log("capacity: giupxa-server on \(server.port), gRPC peer on \(grpc.plain) (plain) and \(grpc.tls) (TLS); \(workload.source)")

        func giupxa(_ security: Security, _ call: CapacityCall) -> any CapacityClient {
            GiupXaCapacityClient(port: server.port, secrets: secrets, counters: counters, plaintext: security == .plain, call: call)
        }
        func grpcClient(_ security: Security, _ call: CapacityCall) -> any CapacityClient {
            GRPCCapacityClient(
                port: security == .plain ? grpc.plain : grpc.tls, secured: security == .secured, tls: tls, token: server.secret,
                gzip: grpcGzip, call: call)
        }
        let warmupTime = Duration.milliseconds(Int(self.warmup * 1000))
        let window = Duration.milliseconds(Int(self.duration * 1000))
        var rows: [CapacityRow] = []
        // Contenders alternate at each level, so a slow spell of the shared machine hits both.
        for (test, levels, call) in [("small", clients, CapacityCall.small), ("ingest", [ingestClients], .ingest(template))] {
            for security in modes {
                for n in levels {
                    for (name, client) in [(Targets.giupxa, giupxa(security, call)), (CapacityReport.grpc, grpcClient(security, call))] {
                        let result = try await Load.run(client, clients: n, warmup: warmupTime, duration: window)
                        log([Table.left(test, 6), Table.left(security.rawValue, 7), Table.right(n, 4), Table.left(name, 6),
                             Table.right(String(format: "%.0f", result.callsPerSecond), 8), "calls/s",
                             Table.right(String(format: "%.0f", result.itemsPerSecond), 8), "ok/s",
                             "p50", String(format: "%.2f", result.p50Ms), "p99", String(format: "%.2f", result.p99Ms), "ms",
                             result.firstError.map { "error: \($0)" } ?? ""].joined(separator: " "))
                        rows.append(CapacityRow(test: test, security: security, contender: name, result: result))
                    }
                }
            }
        }

        let report = CapacityReport(
            generatedAt: ISO8601DateFormatter().string(from: Date()), workload: workload.source, warmupSeconds: self.warmup,
            durationSeconds: self.duration, ingestBatch: ingestBatch, grpcGzip: grpcGzip, rows: rows,
            targets: CapacityReport.checks(rows),
            notes: CapacityReport.standardNotes(
                grpcGzip: grpcGzip, load: "\(loadBefore) at start, \(Self.loadAverage()) at the end",
                prepared: template.prepared, ranOut: template.ranOut.value))
        FileHandle.standardOutput.write(Data((report.render() + "\n").utf8))
        log("finished in \(Targets.fmt((ContinuousClock.now - started).seconds)) s")
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json), options: .atomic)
        }
        await grpc.0.stop()
        await server.process.stop()
    }

    /// /proc/loadavg's first three fields (Linux), or "unknown".
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

extension Security: ExpressibleByArgument {}

extension Array where Element == CapacityRow {
    func find(_ test: String, _ security: Security, _ clients: Int, _ contender: String) -> LoadResult? {
        first { $0.test == test && $0.security == security && $0.result.clients == clients && $0.contender == contender }?.result
    }
}

struct CapacityRow: Codable, Sendable {
    /// "small" (ListAssignments) or "ingest" (SubmitVisits of fresh visits).
    var test: String
    var security: Security
    var contender: String
    var result: LoadResult
}

/// What `capacity --json` writes.
struct CapacityReport: Codable, Sendable {
    static let grpc = "gRPC"

    var generatedAt: String
    var workload: String
    var warmupSeconds: Double
    var durationSeconds: Double
    var ingestBatch: Int
    var grpcGzip: Bool
    var rows: [CapacityRow]
    var targets: [TargetCheck]
    var notes: [String]

    func row(_ test: String, _ security: Security, _ clients: Int, _ contender: String) -> LoadResult? {
        rows.find(test, security, clients, contender)
    }

    static func checks(_ rows: [CapacityRow]) -> [TargetCheck] {
        var checks: [TargetCheck] = []
        for row in rows where row.test == "small" && row.contender == Targets.giupxa {
            let g = row.result
            guard let other = rows.find("small", row.security, g.clients, grpc) else { continue }
            let ratio = g.callsPerSecond / max(other.callsPerSecond, 1e-9)
            checks.append(TargetCheck(
                id: "c-small-\(row.security.rawValue)-\(g.clients)",
                description: "(c) \(row.security.rawValue), \(g.clients) client\(g.clients == 1 ? "" : "s"): GiupXa's small-call rate ≥ 1.5x gRPC's",
                met: ratio >= 1.5,
                detail: "GiupXa \(rate(g.callsPerSecond)) calls/s (p50 \(Targets.fmt3(g.p50Ms)) ms, p99 \(Targets.fmt3(g.p99Ms)) ms) vs gRPC \(rate(other.callsPerSecond)) calls/s "
                    + "(p50 \(Targets.fmt3(other.p50Ms)) ms, p99 \(Targets.fmt3(other.p99Ms)) ms) = \(Targets.fmt(ratio))x"))
        }
        for row in rows where row.test == "ingest" && row.contender == Targets.giupxa {
            let g = row.result
            let other = rows.find("ingest", row.security, g.clients, grpc).map { "; gRPC over the same intake: \(rate($0.itemsPerSecond)) visits/s" } ?? ""
            checks.append(TargetCheck(
                id: "c-ingest-\(row.security.rawValue)",
                description: "(c) \(row.security.rawValue), \(g.clients) clients: GiupXa ingests ≥ 20,000 durable visits/s",
                met: g.itemsPerSecond >= 20_000,
                detail: "GiupXa \(rate(g.itemsPerSecond)) visits/s STORED (\(rate(g.callsPerSecond)) calls/s of \(g.calls > 0 ? g.itemsSent / g.calls : 0), p50 \(Targets.fmt3(g.p50Ms)) ms, p99 \(Targets.fmt3(g.p99Ms)) ms)\(other)"))
        }
        let bad = rows.filter { $0.result.failedClients > 0 || $0.result.itemsOK != $0.result.itemsSent || $0.result.calls == 0 }
        checks.append(TargetCheck(
            id: "c-answered", description: "(c) every measured call answered as wanted (assignments listed, every visit STORED), no client failed",
            met: bad.isEmpty,
            detail: bad.isEmpty
                ? "\(rows.reduce(0) { $0 + $1.result.calls }) calls"
                : bad.map { "\($0.test) \($0.security.rawValue) \($0.result.clients) \($0.contender): \($0.result.itemsOK)/\($0.result.itemsSent) ok, \($0.result.failedClients) failed\($0.result.firstError.map { " (\($0))" } ?? "")" }
                    .joined(separator: "; ")))
        return checks
    }

    private static func rate(_ value: Double) -> String { String(format: "%.0f", value) }

    static func standardNotes(grpcGzip: Bool, load: String, prepared: Int, ranOut: Int) -> [String] {
        [
            "Both servers are child processes on loopback, on the same 2-core machine as the load generator (this process), which drives both the same way; only one server is loaded at a time.",
            "Each client is its own connection (GiupXa: AgencyClient.connect() with its own credential and handshake counter; gRPC: its own GRPCClient, HTTP/2), connected and one call answered before the clock starts; then one call at a time, back to back.",
            "A call counts if it started and finished inside the measured window; latency = ContinuousClock from sending to the decoded answer; p50/p99 nearest rank over all clients' calls.",
            "GiupXa = the real giupxa-server (--rate/--burst 1e9, --log-level error). gRPC = grpc-swift-2 2.4.3 / grpc-swift-nio-transport 2.9.2 server (benchmark executable, hidden subcommand capacity-grpc-server) over its own SQLiteStore made by `giupxa-server init`: ListAssignments calls store.assignments(agencyCode:on: nil) and maps with Giupxa_V1_Assignment(_:isSample:), as VisitService; SubmitVisits goes through GiupXaServer's VisitIntake (validation, permission, one transaction, WAL synchronous=FULL).",
            "Authentication: GiupXa once per connection (HELLO; v2 Noise IKpsk2 in secured mode); gRPC a bearer token in every call's metadata, compared with one known token (no lookup).",
            "Secured: GiupXa v2 (Noise, ChaChaPoly) against gRPC over TLS 1.3 as swift-nio-ssl ships it; handshakes happen before the clock starts.",
            grpcGzip ? "gRPC messages gzip-compressed both ways (--grpc-gzip), as in parts (a)/(b)." : "gRPC messages uncompressed (its default, and its cheapest case); GiupXa compresses as its codec always does (PROTOCOL.md §9), its requests in the deflate stream (§9.3, the cheaper encoder; the CLI's default LZMA2 stream would cost the load generator a core). --grpc-gzip for gzip as in parts (a)/(b).",
            "Ingest: each call carries the same real STNMT visits with fresh ids (UUID version 7, as the CLI makes them), so every visit is new and valid; visits/s counts visits answered STORED.",
            "Ingest calls are made ready before the clock starts, \(prepared) per client: GiupXa's compressed in the connection's request stream by GiupXaConnection.prepare (the bytes the CLI's connection would send), gRPC's request messages built. "
                + (ranOut == 0 ? "No client ran out of them." : "\(ranOut) calls were made after a client's prepared ones ran out (compressed or built as they went): raise --ingest-prepared."),
            // The machine may be shared: say how busy it was, since every number here is CPU time.
            "Load average (1, 5, 15 min) of the machine: \(load).",
        ]
    }

    func render() -> String {
        typealias T = Table
        var out: [String] = []
        out.append("GiupXa server capacity (issue 6, part c), \(generatedAt)")
        out.append("Visits: \(workload)")
        out.append("Loopback; each client its own connection, one call at a time back to back; \(Targets.fmt(warmupSeconds)) s warm-up, then \(Targets.fmt(durationSeconds)) s measured.")
        out.append("")
        out.append("Small call: ListAssignments for the agency (calls/s; latency per call in ms). ×gRPC = GiupXa's rate / gRPC's.")
        out.append([T.left("mode", 7), T.right("clients", 7), T.left(" contender", 10), T.right("calls/s", 9), T.right("p50 ms", 8),
                    T.right("p99 ms", 8), T.right("max ms", 8), T.right("×gRPC", 6)].joined(separator: " "))
        let smallLevels = Array(Set(rows.filter { $0.test == "small" }.map(\.result.clients))).sorted()
        for security in Security.allCases {
            for n in smallLevels {
                for name in [Targets.giupxa, Self.grpc] {
                    guard let r = row("small", security, n, name) else { continue }
                    let ratio = name == Targets.giupxa ? row("small", security, n, Self.grpc).map { String(format: "%.2f", r.callsPerSecond / max($0.callsPerSecond, 1e-9)) } ?? "-" : ""
                    out.append([T.left(name == Targets.giupxa ? security.rawValue : "", 7), T.right(name == Targets.giupxa ? "\(n)" : "", 7),
                                T.left(" " + name, 10), T.right(String(format: "%.0f", r.callsPerSecond), 9), T.right(String(format: "%.3f", r.p50Ms), 8),
                                T.right(String(format: "%.3f", r.p99Ms), 8), T.right(String(format: "%.1f", r.maxMs), 8), T.right(ratio, 6)].joined(separator: " "))
                }
            }
        }
        out.append("")
        out.append("Durable ingest: SubmitVisits of \(ingestBatch) fresh visits per call, STORED = committed (SQLite WAL, synchronous=FULL).")
        out.append([T.left("mode", 7), T.right("clients", 7), T.left(" contender", 10), T.right("visits/s", 9), T.right("calls/s", 8),
                    T.right("p50 ms", 8), T.right("p99 ms", 8), T.right("max ms", 8), T.right("STORED", 9), T.right("sent", 9)].joined(separator: " "))
        for row in rows where row.test == "ingest" {
            let r = row.result
            out.append([T.left(row.contender == Targets.giupxa ? row.security.rawValue : "", 7), T.right(row.contender == Targets.giupxa ? "\(r.clients)" : "", 7),
                        T.left(" " + row.contender, 10), T.right(String(format: "%.0f", r.itemsPerSecond), 9), T.right(String(format: "%.0f", r.callsPerSecond), 8),
                        T.right(String(format: "%.2f", r.p50Ms), 8), T.right(String(format: "%.2f", r.p99Ms), 8), T.right(String(format: "%.1f", r.maxMs), 8),
                        T.right(r.itemsOK, 9), T.right(r.itemsSent, 9)].joined(separator: " "))
        }
        out.append("")
        out.append("Targets")
        for target in targets {
            out.append("  [\(target.met ? "MET   " : "MISSED")] \(target.description)")
            out.append("           \(target.detail)")
        }
        out.append("")
        out.append("Notes")
        for note in notes { out.append("  - \(note)") }
        return out.joined(separator: "\n")
    }
}
#endif
