public import Crypto
public import Foundation
import GiupXaFiles
public import GiupXaModels
public import GiupXaStorage

/// The server's static X25519 key (PROTOCOL.md §12.1). Its private half lives in a key file of
/// its own, mode 0600, never in the database: with it and a client's public key (which the
/// database holds) anyone can forge a handshake's first message, and the calls in it would run.
/// The database keeps the public half, so a key file that belongs to another database is
/// refused at start rather than failing every handshake.
///
/// File format: one line, `gxs1_` + base64 (standard, padded) of the 32 private-key bytes.
public struct ServerKey: Sendable {
    public let privateKey: Curve25519.KeyAgreement.PrivateKey
    public var publicKey: Data { privateKey.publicKey.rawRepresentation }

    static let prefix = "gxs1_"

    public init(privateKey: Curve25519.KeyAgreement.PrivateKey) {
        self.privateKey = privateKey
    }

    /// Where the key file goes unless told otherwise: beside the database, under a name that
    /// a copy of `giupxa.sqlite*` does not take along.
    public static func defaultPath(forDatabase database: String) -> String {
        URL(fileURLWithPath: database).deletingLastPathComponent().appendingPathComponent("giupxa-server.key").path
    }

    /// The key the server serves with, made ready for `store`:
    /// - a store from before the key file: its private key is written to `path` (created 0600),
    ///   then erased from the store;
    /// - a store with no key yet (`init`): a new key, in a new file at `path`;
    /// - otherwise the key file at `path`, which must match the store's registered public key.
    public static func prepare(store: any GiupXaStore, path: String, now: Date = Date()) async throws -> ServerKey {
        if let legacy = try await store.legacyServerPrivateKey() {
            let key = ServerKey(privateKey: try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: legacy))
            if FileManager.default.fileExists(atPath: path) {
                guard try load(path).publicKey == key.publicKey else { throw StoreError.serverKeyMismatch }
            } else {
                try write(key, to: path)
            }
            try await store.registerServerPublicKey(key.publicKey, now: now)
            try await store.eraseLegacyServerPrivateKey()
            return key
        }
        let registered = try await store.serverPublicKey()
        guard FileManager.default.fileExists(atPath: path) else {
            guard registered == nil else { throw ServerKeyError.missing(path) }
            let key = ServerKey(privateKey: Curve25519.KeyAgreement.PrivateKey())
            try write(key, to: path)
            try await store.registerServerPublicKey(key.publicKey, now: now)
            return key
        }
        let key = try load(path)
        // A key file with no registered key (a database re-created beside it) is adopted.
        try await store.registerServerPublicKey(key.publicKey, now: now)
        return key
    }

    /// Reads a key file; refuses one that others may read, as ssh does.
    public static func load(_ path: String) throws -> ServerKey {
        guard try !PrivateFile.isShared(path) else { throw ServerKeyError.shared(path) }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ServerKeyError.unreadable(path) }
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix(prefix), let raw = Data(base64Encoded: String(line.dropFirst(prefix.count))), raw.count == 32,
              let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
        else { throw ServerKeyError.malformed(path) }
        return ServerKey(privateKey: key)
    }

    private static func write(_ key: ServerKey, to path: String) throws {
        let text = prefix + key.privateKey.rawRepresentation.base64EncodedString() + "\n"
        try PrivateFile.createNew(Array(text.utf8), at: path)
    }
}

/// Why the server key file cannot be used; each says what the operator can do.
public enum ServerKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The database has a registered key but its file is not at this path.
    case missing(String)
    case shared(String)
    case unreadable(String)
    case malformed(String)
    /// Credentials are issued with the server's public key: `init` (or `serve`) makes it.
    case notCreated

    public func message(_ language: Language) -> String {
        switch self {
        case .missing(let path):
            language.pick(
                vi: "Không tìm thấy tệp khoá máy chủ \(path). Khoá truy cập đã cấp đều cần nó: hãy chép lại tệp từ bản sao lưu "
                    + "hoặc chỉ đúng chỗ bằng --key-file (hoặc GIUPXA_SERVER_KEY)",
                en: "Server key file \(path) not found. Every credential issued needs it: restore it from a backup "
                    + "or point --key-file (or GIUPXA_SERVER_KEY) at it")
        case .shared(let path):
            language.pick(
                vi: "Tệp khoá máy chủ \(path) để người khác đọc được; chạy `chmod 600 \(path)` rồi thử lại",
                en: "Server key file \(path) is readable by others; run `chmod 600 \(path)` and retry")
        case .unreadable(let path):
            language.pick(vi: "Không đọc được tệp khoá máy chủ \(path)", en: "Cannot read server key file \(path)")
        case .malformed(let path):
            language.pick(
                vi: "Tệp khoá máy chủ \(path) sai định dạng (cần một dòng gxs1_…)",
                en: "Server key file \(path) is malformed (expected one gxs1_… line)")
        case .notCreated:
            language.pick(
                vi: "Máy chủ chưa có khoá: chạy `giupxa-server init` trước",
                en: "The server has no key yet: run `giupxa-server init` first")
        }
    }

    public var description: String { message(.en) }
}
