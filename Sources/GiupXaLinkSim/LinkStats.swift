import Synchronization

/// Per-connection counters as they appear in the summary.
public struct ConnectionSummary: Sendable, Codable, Equatable {
    public var id: Int
    public var bytesUp: Int = 0
    public var bytesDown: Int = 0
    /// Offset at which this connection was scheduled to be cut, if any.
    public var cutAfterBytes: Int?
    public var wasCut = false
    public var finished = false
}

/// What a run did: written as JSON on shutdown.
public struct LinkSummary: Sendable, Codable, Equatable {
    public var settings: LinkProfile
    public var seed: UInt64
    public var connectionsAccepted: Int
    public var connectionsFinished: Int
    public var bytesUp: Int
    public var bytesDown: Int
    public var cuts: Int
    public var connections: [ConnectionSummary]
}

/// Byte counters shared by every connection's event loop and readable from any thread.
/// Bytes are counted when delivered to the far side, so a cut connection counts exactly
/// what crossed it.
public final class LinkStats: Sendable {
    public let settings: LinkProfile
    public let seed: UInt64
    private let state = Mutex<[ConnectionSummary]>([])

    public init(settings: LinkProfile, seed: UInt64) {
        self.settings = settings
        self.seed = seed
    }

    /// Registers a new connection and returns its 0-based index.
    func open(cutAfterBytes: (Int) -> Int?) -> Int {
        state.withLock { connections in
            let id = connections.count
            connections.append(ConnectionSummary(id: id, cutAfterBytes: cutAfterBytes(id)))
            return id
        }
    }

    func delivered(_ bytes: Int, upstream: Bool, connection id: Int) {
        state.withLock { connections in
            if upstream { connections[id].bytesUp += bytes } else { connections[id].bytesDown += bytes }
        }
    }

    func cut(connection id: Int) {
        state.withLock { $0[id].wasCut = true }
    }

    /// Marks a connection finished and returns how many have finished so far.
    func finish(connection id: Int) -> Int {
        state.withLock { connections in
            connections[id].finished = true
            return connections.count(where: \.finished)
        }
    }

    public func connection(_ id: Int) -> ConnectionSummary? {
        state.withLock { $0.indices.contains(id) ? $0[id] : nil }
    }

    public func summary() -> LinkSummary {
        let connections = state.withLock { $0 }
        return LinkSummary(
            settings: settings,
            seed: seed,
            connectionsAccepted: connections.count,
            connectionsFinished: connections.count(where: \.finished),
            bytesUp: connections.reduce(0) { $0 + $1.bytesUp },
            bytesDown: connections.reduce(0) { $0 + $1.bytesDown },
            cuts: connections.count(where: \.wasCut),
            connections: connections
        )
    }
}
