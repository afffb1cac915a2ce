import NIOConcurrencyHelpers
import NIOCore

/// What a graceful stop needs to reach: the listening socket and every open connection.
/// `begin()` closes the listener (no new connections) and the read side of each connection
/// (no new calls); each connection then lets its in-flight calls answer, sends GOAWAY
/// UNAVAILABLE and closes, and `run` returns once the last one has (`allClosed()`).
final class Drain: Sendable {
    private struct State {
        var draining = false
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    var isDraining: Bool { state.withLockedValue { $0.draining } }

    func setListener(_ channel: any Channel) {
        let close = state.withLockedValue { s -> Bool in
            s.listener = channel
            return s.draining
        }
        if close { channel.close(promise: nil) }
    }

    enum Admission { case admitted, draining, full }

    /// Registers a connection unless the server is draining or already holds `limit`.
    func register(_ channel: any Channel, limit: Int) -> Admission {
        state.withLockedValue { s in
            guard !s.draining else { return .draining }
            guard s.connections.count < limit else { return .full }
            s.connections[ObjectIdentifier(channel)] = channel
            return .admitted
        }
    }

    func unregister(_ channel: any Channel) {
        let waiters = state.withLockedValue { s -> [CheckedContinuation<Void, Never>] in
            s.connections.removeValue(forKey: ObjectIdentifier(channel))
            guard s.connections.isEmpty else { return [] }
            defer { s.waiters = [] }
            return s.waiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns once no connection is registered: each unregisters after its last call.
    func allClosed() async {
        await withCheckedContinuation { continuation in
            let now = state.withLockedValue { s -> Bool in
                guard !s.connections.isEmpty else { return true }
                s.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Stops at once: closes the listener and every connection, whose calls are cancelled.
    func abort() {
        let (listener, connections) = state.withLockedValue { s -> ((any Channel)?, [any Channel]) in
            s.draining = true
            return (s.listener, Array(s.connections.values))
        }
        listener?.close(promise: nil)
        for channel in connections { channel.close(promise: nil) }
    }

    func begin() {
        let (listener, connections) = state.withLockedValue { s -> ((any Channel)?, [any Channel]) in
            guard !s.draining else { return (nil, []) }
            s.draining = true
            return (s.listener, Array(s.connections.values))
        }
        listener?.close(promise: nil)
        for channel in connections { Self.stopReading(channel) }
    }

    /// Ends the connection's inbound stream so its read loop finishes after the calls it has.
    private static func stopReading(_ channel: any Channel) {
        channel.close(mode: .input).whenFailure { _ in
            // A socket that cannot half-close is closed whole; its calls' answers are lost,
            // which a client treats like a cut link (resending is safe).
            channel.close(promise: nil)
        }
    }
}
