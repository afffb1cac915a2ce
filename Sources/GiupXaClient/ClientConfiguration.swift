public import Foundation
public import GiupXaModels
import GiupXaFiles

/// What `giupxa config set` stores: where the server is and the agency's credential. Kept in
/// `<home>/config.json`, readable by the owner only since it holds the secret.
public struct ClientConfiguration: Sendable, Hashable, Codable {
    /// "host:port"
    public var server: String?
    public var agencyCode: String?
    public var secret: String?
    public var language: Language?
    /// Use protocol v1 without encryption (loopback tests, diagnostics). Off by default.
    public var plaintext: Bool?

    public init(server: String? = nil, agencyCode: String? = nil, secret: String? = nil, language: Language? = nil, plaintext: Bool? = nil) {
        self.server = server
        self.agencyCode = agencyCode
        self.secret = secret
        self.language = language
        self.plaintext = plaintext
    }

    /// Splits "host:port" (IPv6 as "[::1]:7070").
    public static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") {
            let host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port) else { return nil }
            return (host, port)
        }
        let parts = trimmed.split(separator: ":")
        guard parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
        return (String(parts[0]), port)
    }
}

/// The client's directory: configuration and the outbox database. `GIUPXA_HOME` or
/// `~/.giupxa` by default.
public struct ClientHome: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public static func `default`(environment: [String: String] = ProcessInfo.processInfo.environment) -> ClientHome {
        if let path = environment["GIUPXA_HOME"], !path.isEmpty {
            return ClientHome(directory: URL(fileURLWithPath: path))
        }
        return ClientHome(directory: FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".giupxa"))
    }

    var configURL: URL { directory.appendingPathComponent("config.json") }
    var outboxPath: String { directory.appendingPathComponent("outbox.sqlite").path }

    func ensureExists() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    public func loadConfiguration() throws -> ClientConfiguration {
        guard FileManager.default.fileExists(atPath: configURL.path) else { return ClientConfiguration() }
        return try JSONDecoder().decode(ClientConfiguration.self, from: Data(contentsOf: configURL))
    }

    public func saveConfiguration(_ configuration: ClientConfiguration) throws {
        try ensureExists()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // It holds the credential: created 0600 before a byte is written, then renamed over the
        // old file, so a crash leaves the old file or the new one, never half of one.
        try PrivateFile.write(encoder.encode(configuration), to: configURL.path)
    }

    public func openOutbox() throws -> Outbox {
        try ensureExists()
        return try Outbox(path: outboxPath)
    }
}
