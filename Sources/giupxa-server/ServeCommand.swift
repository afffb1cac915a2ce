import ArgumentParser
import Foundation
import GiupXaModels
import GiupXaProtocol
import GiupXaServer
import GiupXaStorage
import Logging
import ServiceLifecycle
import UnixSignals

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the GiupXa protocol on a TCP address.")

    @OptionGroup var options: ServerOptions
    @OptionGroup var key: KeyFileOption
    @Option(help: "host:port to listen on; port 0 picks a free port.") var listen = "127.0.0.1:7070"
    @Option(help: "Write the bound port to this file once listening (for scripts and tests).") var portFile: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"
    @Option(help: "On SIGTERM, seconds to let in-flight calls finish before stopping anyway.") var graceSeconds = 20
    @Option(help: "Largest frame accepted, in bytes.") var maxFrameBytes = ProtocolLimits.default.maxFrameBytes
    @Option(help: "Largest message after decompression, in bytes.") var maxMessageBytes = ProtocolLimits.default.maxMessageBytes
    @Option(help: "Visits per SubmitVisits or AmendVisits call.") var maxVisitsPerBatch = ProtocolLimits.default.maxVisitsPerBatch
    @Option(help: "Calls in flight per connection.") var maxConcurrentCalls = ProtocolLimits.default.maxConcurrentCalls
    @Option(help: "Open connections at most.") var maxConnections = 20_000
    @Option(help: "Seconds to complete the HELLO.") var handshakeTimeout: Int64 = 30
    @Option(help: "Seconds without a complete frame before a connection is closed.") var idleTimeout: Int64 = 300
    @Option(help: "Calls per second per agency (all its connections).") var rate: Double = 20
    @Option(help: "Calls an agency may make at once before the rate applies.") var burst: Double = 60
    @Option(help: "Bytes all connections together may hold in frames still arriving.")
    var maxBufferedBytes = ServerConfiguration().partialFrameBudgetBytes
    @Flag(help: "Also accept unencrypted v1 connections from non-loopback peers (diagnostics only: v1 sends credentials in clear).")
    var allowPlaintext = false

    func run() async throws {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw options.fail(OperatorError(options.pick(vi: "--listen phải có dạng host:port", en: "--listen must be host:port")))
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "giupxa.server")
        do {
            let store = try options.openStore()
            // A damaged file would acknowledge visits it cannot keep: refuse to serve it.
            let damage = try await store.integrityProblems()
            guard damage.isEmpty else { throw StoreError.damaged(damage) }
            var limits = ProtocolLimits()
            limits.maxFrameBytes = maxFrameBytes
            limits.maxMessageBytes = maxMessageBytes
            limits.maxVisitsPerBatch = maxVisitsPerBatch
            limits.maxConcurrentCalls = maxConcurrentCalls
            var configuration = ServerConfiguration(
                host: host, port: port, limits: limits, handshakeTimeoutSeconds: handshakeTimeout, idleTimeoutSeconds: idleTimeout,
                maxConnections: maxConnections, callsPerSecondPerAgency: rate, callBurstPerAgency: burst,
                allowPlaintext: allowPlaintext)
            configuration.partialFrameBudgetBytes = maxBufferedBytes
            let serverKey = try await ServerKey.prepare(store: store, path: key.path(database: options.databasePath))
            let portFile = self.portFile
            let server = GiupXaServer(configuration: configuration, store: store, key: serverKey, logger: logger) { _, bound in
                if let portFile {
                    // Write-then-rename: a reader never sees a half-written number.
                    try Data("\(bound)\n".utf8).write(to: URL(fileURLWithPath: portFile), options: .atomic)
                }
            }
            // The first SIGTERM or SIGINT drains (no new connections or calls, in-flight calls
            // answered); after the grace period the rest is cancelled. SQLite transactions
            // commit or roll back, so nothing acknowledged is lost either way.
            var group = ServiceGroupConfiguration(
                services: [.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            group.maximumGracefulShutdownDuration = .seconds(graceSeconds)
            try await ServiceGroup(configuration: group).run()
            logger.info("stopped")
        } catch {
            throw options.fail(error)
        }
    }
}
