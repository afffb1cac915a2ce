public import Foundation
import GRDB
import NIOConcurrencyHelpers

/// Where the client keeps its v2 anti-replay counter (PROTOCOL.md §12.4). The counter must grow
/// across restarts, so it is stored, and the next value is max(clock in ms, last + 1): a wrong
/// device clock makes it jump, never go back.
public protocol HandshakeCounterStore: Sendable {
    /// The counter for the next handshake, already recorded as used.
    func nextHandshakeCounter(now: Date) throws -> UInt64
    /// The server has seen counters up to `floor` (another device shares the credential):
    /// the next one must be larger.
    func raiseHandshakeCounter(above floor: UInt64) throws
}

extension HandshakeCounterStore {
    static func next(after last: UInt64, now: Date) -> UInt64 {
        max(UInt64(max(0, now.timeIntervalSince1970 * 1000)), last &+ 1)
    }
}

extension Outbox: HandshakeCounterStore {
    private static let counterKey = "handshake_counter"

    public func nextHandshakeCounter(now: Date) throws -> UInt64 {
        try queue.write { db in
            let last = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.counterKey]).flatMap(UInt64.init) ?? 0
            let next = Self.next(after: last, now: now)
            try Self.storeCounter(next, db: db)
            return next
        }
    }

    public func raiseHandshakeCounter(above floor: UInt64) throws {
        try queue.write { db in
            let last = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.counterKey]).flatMap(UInt64.init) ?? 0
            if floor > last { try Self.storeCounter(floor, db: db) }
        }
    }

    private static func storeCounter(_ value: UInt64, db: Database) throws {
        try db.execute(
            sql: "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            arguments: [counterKey, String(value)])
    }
}

/// A counter kept in memory, for tests and one-off tools that hold no outbox.
public final class InMemoryHandshakeCounter: HandshakeCounterStore {
    private let last = NIOLockedValueBox<UInt64>(0)

    public init() {}

    public func nextHandshakeCounter(now: Date) throws -> UInt64 {
        last.withLockedValue { last in
            last = Self.next(after: last, now: now)
            return last
        }
    }

    public func raiseHandshakeCounter(above floor: UInt64) throws {
        last.withLockedValue { $0 = max($0, floor) }
    }
}
