import Foundation

/// A child process the benchmark started; stopped by its own handle, never by name.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let name: String

    init(_ executable: String, _ arguments: [String], name: String, log: URL? = nil) throws {
        self.name = name
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        if let log {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    /// Polls for exit; true if it exited within `timeout`.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// SIGTERM without waiting.
    func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// SIGTERM, then SIGKILL if it lingers.
    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        if await !waitForExit(timeout: .seconds(10)), process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = await waitForExit(timeout: .seconds(5))
        }
    }
}

enum Tool {
    /// Runs a command to completion and returns its standard output; throws on a non-zero exit.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], stdin: URL? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        // Read both pipes while it runs, so a chatty child cannot block on a full pipe.
        let errors = ErrorCollector(err.fileHandleForReading)
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.wait(), as: UTF8.self)
            throw BenchError("\(executable) \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): \(message)")
        }
        return output
    }

    /// Looks a program up in PATH.
    static func which(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Waits for a `--port-file` to hold a port number.
    static func port(from file: URL, process: ChildProcess, timeout: Duration = .seconds(20)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: file, encoding: .utf8),
               let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return port
            }
            guard process.isRunning else { throw BenchError("\(process.name) exited before listening") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BenchError("\(process.name) did not report its port within \(timeout)")
    }
}

/// Drains a pipe on a background thread.
private final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}

/// The real `giupxa-server` on a fresh database with the default sample decision, and one
/// STNMT credential.
struct GiupXaServerProcess: Sendable {
    let process: ChildProcess
    let port: Int
    let secret: String
    let database: String
    /// The giupxa-server executable, for more credentials.
    let binary: String

    /// - Parameter rate: `--rate` and `--burst`; the capacity part raises them further.
    static func start(binary: String, directory: URL, rate: Int = 1000) async throws -> GiupXaServerProcess {
        let db = directory.appendingPathComponent("server.sqlite").path
        try Tool.run(binary, ["init", "--db", db])
        let secret = try issueCredential(binary: binary, database: db)
        let portFile = directory.appendingPathComponent("server.port")
        let process = try ChildProcess(
            binary,
            ["serve", "--db", db, "--listen", "127.0.0.1:0", "--port-file", portFile.path, "--log-level", "error",
             // The benchmark makes many calls in a row from one agency; the rate limit is not what is measured.
             "--rate", "\(rate)", "--burst", "\(rate)"],
            name: "giupxa-server", log: directory.appendingPathComponent("server.log"))
        let port = try await Tool.port(from: portFile, process: process)
        return GiupXaServerProcess(process: process, port: port, secret: secret, database: db, binary: binary)
    }

    /// Another STNMT credential, as for a second device (the server may be running).
    func issueCredential() throws -> String {
        try Self.issueCredential(binary: binary, database: database)
    }

    private static func issueCredential(binary: String, database: String) throws -> String {
        let issued = try Tool.run(binary, ["credential", "issue", "--db", database, "--agency", Workload.agency, "--format", "json"])
        guard let object = try JSONSerialization.jsonObject(with: issued) as? [String: Any], let secret = object["secret"] as? String else {
            throw BenchError("credential issue printed no secret")
        }
        return secret
    }
}

/// What `giupxa-linksim` reports on exit (the fields the benchmark reads).
struct LinkSummary: Decodable, Sendable {
    struct Settings: Decodable, Sendable {
        var name: String
        var upKbps: Int?
        var downKbps: Int?
        var delayMs: Int
    }
    var settings: Settings
    var connectionsAccepted: Int
    var bytesUp: Int
    var bytesDown: Int
}

/// One `giupxa-linksim` process relaying to one upstream: a counting proxy with profile `none`,
/// a shaped link otherwise. Started for each sync so its summary counts exactly that sync.
struct LinkSim: Sendable {
    let process: ChildProcess
    let port: Int
    let summaryFile: URL

    static func start(binary: String, upstreamPort: Int, profile: String, directory: URL, tag: String) async throws -> LinkSim {
        let portFile = directory.appendingPathComponent("link-\(tag).port")
        let summaryFile = directory.appendingPathComponent("link-\(tag).json")
        try? FileManager.default.removeItem(at: portFile)
        try? FileManager.default.removeItem(at: summaryFile)
        let process = try ChildProcess(
            binary,
            ["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:\(upstreamPort)", "--profile", profile,
             "--port-file", portFile.path, "--summary-file", summaryFile.path, "--max-connections", "1"],
            name: "giupxa-linksim")
        let port = try await Tool.port(from: portFile, process: process)
        return LinkSim(process: process, port: port, summaryFile: summaryFile)
    }

    /// Waits for the relayed connection to finish (the simulator then exits by itself, with every
    /// byte of the close counted), or stops it; returns its summary.
    func finish(timeout: Duration = .seconds(20)) async throws -> LinkSummary {
        if await !process.waitForExit(timeout: timeout) { await process.stop() }
        let data = try Data(contentsOf: summaryFile)
        return try JSONDecoder().decode(LinkSummary.self, from: data)
    }
}
