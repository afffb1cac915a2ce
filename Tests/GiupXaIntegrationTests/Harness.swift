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

        init(database: String, directory: URL) throws {
            let portFile = directory.appendingPathComponent("port-\(UUID().uuidString)")
            process.executableURL = Harness.binDirectory.appendingPathComponent("giupxa-server")
            process.arguments = ["serve", "--db", database, "--listen", "127.0.0.1:0", "--port-file", portFile.path, "--log-level", "warning"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            var found: Int? = nil
            for _ in 0..<200 {
                if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    found = port
                    break
                }
                usleep(50_000)
            }
            guard let found else {
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
