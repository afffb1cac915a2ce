import ArgumentParser
import Dispatch
import Foundation
import GiupXaLinkSim

@main
struct LinkSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "giupxa-linksim",
        abstract: "TCP proxy that shapes traffic like a 2G or satellite link.",
        discussion: """
            Each accepted connection is relayed to --upstream. "Up" is client→upstream, \
            "down" is upstream→client. Profiles: none (default), gprs (20/20 kbit/s, 300 ms \
            one-way), edge (40 up/80 down, 150 ms), vsat (256/256, 350 ms), flaky (edge plus a \
            cut roughly every 4 KiB). Explicit settings override the profile's. The client's first \
            byte is held one round trip (2 × delay) to stand for TCP's handshake, which a proxy \
            cannot delay (the client's connect completes on loopback). On SIGINT/SIGTERM, \
            or after --max-connections connections finish, prints a JSON summary to stdout \
            (and writes it to --summary-file).
            """
    ,
        version: "giupxa-linksim 0.3 (GiupXa protocol versions 1–2)")

    @Option(help: "host:port to listen on; port 0 picks a free port.") var listen = "127.0.0.1:0"
    @Option(help: "host:port of the real server.") var upstream: String
    @Option(help: "Named link profile: none, gprs, edge, vsat, flaky.") var profile = "none"
    @Option(help: "Upstream bandwidth in kbit/s (client→upstream).") var upKbps: Int?
    @Option(help: "Downstream bandwidth in kbit/s (upstream→client).") var downKbps: Int?
    @Option(help: "One-way delay in ms, applied to each direction.") var delayMs: Int?
    @Option(help: "Uniform ± jitter in ms added to the delay (seeded; never reorders bytes).") var jitterMs: Int?
    @Option(help: "Pause delivery every this many ms (from connection start).") var stallEveryMs: Int?
    @Option(help: "Length of each pause in ms; must be less than --stall-every-ms.") var stallMs: Int?
    @Option(help: "Close a connection after this many bytes (both directions together) crossed it.")
    var cutAfterBytes: Int?
    @Option(help: "Cut the first N connections at seeded random byte offsets.") var cutRandom: Int?
    @Option(help: "Seed for random cut offsets.") var cutSeed: UInt64?
    @Option(help: "Average random cut offset in bytes (default 4096).") var cutMeanBytes: Int?
    @Option(help: "Seed for jitter.") var seed: UInt64 = 0
    @Option(help: "Exit after this many connections have finished (for tests and scripts).") var maxConnections: Int?
    @Option(help: "Write the bound port to this file once listening.") var portFile: String?
    @Option(help: "Also write the JSON summary to this file on exit.") var summaryFile: String?

    func validate() throws {
        _ = try settings()
        _ = try Self.hostPort(listen, option: "--listen")
        _ = try Self.hostPort(upstream, option: "--upstream")
    }

    /// The named profile with every explicit option laid over it.
    func settings() throws -> LinkProfile {
        var settings: LinkProfile
        do {
            settings = try LinkProfile.named(profile)
        } catch {
            throw ValidationError(error.description)
        }
        if let upKbps { settings.upKbps = upKbps }
        if let downKbps { settings.downKbps = downKbps }
        if let delayMs { settings.delayMs = delayMs }
        if let jitterMs { settings.jitterMs = jitterMs }
        if let stallEveryMs { settings.stallEveryMs = stallEveryMs }
        if let stallMs { settings.stallMs = stallMs }
        if let cutAfterBytes { settings.cutAfterBytes = cutAfterBytes }
        if let cutRandom { settings.cutRandom = cutRandom }
        if let cutSeed { settings.cutSeed = cutSeed }
        if let cutMeanBytes { settings.cutMeanBytes = cutMeanBytes }
        do {
            try settings.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return settings
    }

    static func hostPort(_ value: String, option: String) throws -> (host: String, port: Int) {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ValidationError("\(option) must be host:port")
        }
        return (String(value[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port)
    }

    func run() async throws {
        let (listenHost, listenPort) = try Self.hostPort(listen, option: "--listen")
        let (upstreamHost, upstreamPort) = try Self.hostPort(upstream, option: "--upstream")
        let simulator = LinkSimulator(
            listenHost: listenHost, listenPort: listenPort, upstreamHost: upstreamHost, upstreamPort: upstreamPort,
            profile: try settings(), seed: seed, maxConnections: maxConnections)
        let portFile = self.portFile
        try await Self.untilSignal {
            try await simulator.run { port in
                FileHandle.standardError.write(Data("giupxa-linksim listening on \(listenHost):\(port)\n".utf8))
                if let portFile {
                    // Write-then-rename: a reader never sees a half-written number.
                    try Data("\(port)\n".utf8).write(to: URL(fileURLWithPath: portFile), options: .atomic)
                }
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(simulator.stats.summary()) + Data("\n".utf8)
        if let summaryFile {
            try json.write(to: URL(fileURLWithPath: summaryFile), options: .atomic)
        }
        FileHandle.standardOutput.write(json)
    }

    /// Runs `body` until it returns or SIGTERM/SIGINT arrives, then cancels it
    /// (the simulator returns normally on cancellation so the summary still gets written).
    static func untilSignal(_ body: @escaping @Sendable () async throws -> Void) async throws {
        let task = Task { try await body() }
        let sources = [SIGTERM, SIGINT].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        try await task.value
    }
}
