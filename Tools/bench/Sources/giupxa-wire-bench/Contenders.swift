import Foundation
import GiupXaModels
import Synchronization

enum Security: String, Codable, Sendable, CaseIterable {
    /// GiupXa v1 (--transport plaintext), gRPC without TLS, HTTP.
    case plain
    /// GiupXa v2 (Noise IKpsk2, the default), gRPC over TLS, HTTPS.
    case secured
}

enum Phase: String, Codable, Sendable, CaseIterable {
    /// The client's first connection.
    case cold
    /// A new connection by a client that has connected before: whatever state its stack keeps
    /// across connections (a TLS session, a handshake counter) is in place.
    case `repeat`
}

/// What one sync did, as the client saw it. Bytes come from the link simulator.
struct SyncResult: Sendable {
    /// From starting to connect until the last answer was decoded.
    var seconds: Double
    /// Visits the server answered STORED.
    var stored: Int
    /// Calls made (RPCs or POSTs).
    var calls: Int
    /// GiupXa only: the client's own socket counters, a cross-check of the simulator's.
    var socketUp: Int?
    var socketDown: Int?
}

/// One way of sending visits to a server of its kind.
protocol Contender: Sendable {
    /// Row label in the tables: "GiupXa", "gRPC batch", …
    var name: String { get }
    /// Counts compared in the (a) targets ("batched vs batched").
    var isBatched: Bool { get }
    /// Only run for these visit counts (nil: all).
    var onlyFor: Set<Int>? { get }
    /// The modes it runs in.
    var modes: [Security] { get }
    func upstreamPort(_ security: Security) -> Int
    /// A new client; its first sync is the cold connection, its second the repeat.
    func makeClient(_ security: Security, directory: URL) throws -> any ContenderClient
}

protocol ContenderClient: Sendable {
    func sync(port: Int, visits: [Visit]) async throws -> SyncResult
    /// Syncs `visits` before anything is measured, straight to the server (not through the
    /// simulator): the history of a device that has synced before (`--history`).
    func prime(visits: [Visit]) async throws
}

extension ContenderClient {
    /// Contenders whose bytes do not depend on what was sent before have nothing to do.
    func prime(visits: [Visit]) async throws {}
}

extension Contender {
    var modes: [Security] { Security.allCases }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A value shared with escaping @Sendable closures.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}

extension Locked where Value == Int {
    /// The current value, then one more: 0, 1, 2… across concurrent callers.
    func takeNext() -> Int {
        withLock { value in
            defer { value += 1 }
            return value
        }
    }
}
