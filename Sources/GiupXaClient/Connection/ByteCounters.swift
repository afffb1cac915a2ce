import NIOConcurrencyHelpers

/// Bytes sent and received on a connection, at the socket: what the link actually carried.
public final class ByteCounters: Sendable {
    private let box = NIOLockedValueBox((sent: 0, received: 0))

    public init() {}

    public var sent: Int { box.withLockedValue { $0.sent } }
    public var received: Int { box.withLockedValue { $0.received } }

    func add(sent: Int = 0, received: Int = 0) {
        box.withLockedValue {
            $0.sent += sent
            $0.received += received
        }
    }
}
