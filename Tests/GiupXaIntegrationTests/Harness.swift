import Foundation
import Testing

/// Runs the real executables in separate processes, as a user would.
struct Harness {
    static let binDirectory: URL = {
        // The test bundle sits next to the executables SwiftPM built for it.
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }()

    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var database: String { directory.appendingPathComponent("server.sqlite").path }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        func json() throws -> Any {
            try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable.hasPrefix("/") ? URL(fileURLWithPath: executable) : binDirectory.appendingPathComponent(executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        env.removeValue(forKey: "LC_ALL")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a large output cannot block the child on a full pipe.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    @discardableResult
    func server(_ arguments: String...) throws -> Result {
        try Self.run("giupxa-server", arguments + ["--db", database])
    }

    /// `giupxa` with its own home directory (one per simulated device).
    @discardableResult
    func client(_ home: String, _ arguments: String...) throws -> Result {
        try Self.run("giupxa", arguments, environment: ["GIUPXA_HOME": directory.appendingPathComponent(home).path])
    }

    @discardableResult
    func client(_ home: String, arguments: [String]) throws -> Result {
        try Self.run("giupxa", arguments, environment: ["GIUPXA_HOME": directory.appendingPathComponent(home).path])
    }

    func issueCredential(_ agency: String) throws -> String {
        let result = try server("credential", "issue", "--agency", agency, "--format", "json")
        #expect(result.status == 0, "\(result.stderr)")
        return try #require((try result.json() as? [String: Any])?["secret"] as? String)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// A running `giupxa-server serve` on a free loopback port; stopped with SIGTERM.
    final class ServerProcess {
        let process = Process()
        let port: Int

        init(database: String, directory: URL, listen: String = "127.0.0.1:0") throws {
            let portFile = directory.appendingPathComponent("port-\(UUID().uuidString)")
            process.executableURL = Harness.binDirectory.appendingPathComponent("giupxa-server")
            process.arguments = ["serve", "--db", database, "--listen", listen, "--port-file", portFile.path, "--log-level", "warning"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            guard let found = Harness.waitForPort(in: portFile) else {
                process.terminate()
                throw ServerDidNotStart()
            }
            port = found
        }

        var address: String { "127.0.0.1:\(port)" }

        func stop() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }

        deinit { stop() }
    }

    struct ServerDidNotStart: Error {}

    /// The port a process writes to its --port-file once listening; nil after 10 s.
    static func waitForPort(in file: URL) -> Int? {
        for _ in 0..<200 {
            if let text = try? String(contentsOf: file, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return port
            }
            usleep(50_000)
        }
        return nil
    }

    /// init + a running server + one configured client home ("device") for `agency`.
    func startWithAgency(_ agency: String = "STNMT", home: String = "device") throws -> ServerProcess {
        let initResult = try server("init")
        #expect(initResult.status == 0, "\(initResult.stderr)")
        let secret = try issueCredential(agency)
        let running = try ServerProcess(database: database, directory: directory)
        let configured = try client(home, "config", "set", "--server", running.address, "--agency", agency, "--secret", secret)
        #expect(configured.status == 0, "\(configured.stderr)")
        return running
    }

    static func fixture(_ name: String) -> String {
        repository.appendingPathComponent("Tools/demo/\(name)").path
    }
}

extension Harness {
    /// Starts `giupxa` in the background for a client home; the caller waits or kills it.
    func spawnClient(_ home: String, _ arguments: [String], output: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = Self.binDirectory.appendingPathComponent("giupxa")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["GIUPXA_HOME"] = directory.appendingPathComponent(home).path
        env["LANG"] = "C.UTF-8"
        process.environment = env
        if let output {
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// Visit ids of a client's outbox in one state.
    func outboxIDs(_ home: String, state: String) throws -> Set<String> {
        let result = try client(home, "visit", "list", "--state", state, "--format", "json")
        let entries = try #require(try result.json() as? [[String: Any]], "\(result.stderr)")
        return Set(entries.compactMap { (($0["visit"] as? [String: Any])?["id"] as? String)?.uppercased() })
    }

    /// Visit ids the server holds (read from its database, as an operator would).
    func serverIDs() throws -> [String] {
        let result = try server("visits", "--limit", "100000", "--format", "json")
        let stored = try #require(try result.json() as? [[String: Any]], "\(result.stderr)")
        return stored.compactMap { (($0["visit"] as? [String: Any])?["id"] as? String)?.uppercased() }
    }

    /// Writes `count` generated visits for STNMT (Tools/demo/make-visits.py) and returns the file.
    func generatedVisits(_ count: Int, seed: Int) throws -> String {
        let result = try Self.run("/usr/bin/env", ["python3", Self.repository.appendingPathComponent("Tools/demo/make-visits.py").path, String(count), String(seed)])
        #expect(result.status == 0, "\(result.stderr)")
        return try write("visits-\(count)-\(seed).json", result.stdout)
    }
}

extension Harness.ServerProcess {
    /// A server on a given port (to restart one that was killed where clients expect it).
    convenience init(database: String, directory: URL, port: Int) throws {
        try self.init(database: database, directory: directory, listen: "127.0.0.1:\(port)")
    }

    func kill() {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A running `giupxa-linksim` in front of a server; stopped with SIGTERM, which makes it
/// write its JSON summary.
final class LinkSimProcess {
    let process = Process()
    let port: Int
    let summaryFile: URL

    init(upstreamPort: Int, directory: URL, arguments: [String]) throws {
        let portFile = directory.appendingPathComponent("linksim-port-\(UUID().uuidString)")
        summaryFile = directory.appendingPathComponent("linksim-summary-\(UUID().uuidString).json")
        process.executableURL = Harness.binDirectory.appendingPathComponent("giupxa-linksim")
        process.arguments = ["--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:\(upstreamPort)",
                             "--port-file", portFile.path, "--summary-file", summaryFile.path] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard let found = Harness.waitForPort(in: portFile) else {
            process.terminate()
            throw Harness.ServerDidNotStart()
        }
        port = found
    }

    var address: String { "127.0.0.1:\(port)" }

    /// Stops the simulator and returns its summary.
    func stop() throws -> [String: Any] {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: summaryFile)) as? [String: Any])
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
