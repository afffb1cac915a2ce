import Synchronization

/// Bytes a server holds for frames still arriving, over all its connections. Each connection
/// may hold one frame of up to `max_frame_bytes` (4 MiB) before it is complete: 20,000
/// connections trickling large frames would be 80 GB. A frame longer than `freePerFrame`
/// reserves its whole length here when its header arrives, and gives it back when its body
/// is complete or the connection goes; a reservation beyond `capacity` is refused, and the
/// connection with it (GOAWAY RESOURCE_EXHAUSTED).
public final class ReceiveBudget: Sendable {
    /// Frames up to this size (every HELLO, most calls) need no reservation.
    public let freePerFrame: Int
    public let capacity: Int
    private let held = Atomic<Int>(0)

    public init(capacity: Int = 256 << 20, freePerFrame: Int = 64 << 10) {
        self.capacity = capacity
        self.freePerFrame = freePerFrame
    }

    /// Bytes reserved now.
    public var reserved: Int { held.load(ordering: .relaxed) }

    /// Reserves `bytes`, or returns nil when that would exceed the capacity.
    func reserve(_ bytes: Int) -> Reservation? {
        var current = held.load(ordering: .relaxed)
        while true {
            guard current + bytes <= capacity else { return nil }
            let (exchanged, original) = held.compareExchange(
                expected: current, desired: current + bytes, ordering: .relaxed)
            if exchanged { return Reservation(budget: self, bytes: bytes) }
            current = original
        }
    }

    fileprivate func release(_ bytes: Int) {
        held.subtract(bytes, ordering: .relaxed)
    }

    /// Held by a frame decoder while its frame's body arrives; released when dropped, so a
    /// connection that closes mid-frame gives its bytes back with its decoder.
    final class Reservation: Sendable {
        private let budget: ReceiveBudget
        let bytes: Int

        fileprivate init(budget: ReceiveBudget, bytes: Int) {
            self.budget = budget
            self.bytes = bytes
        }

        deinit { budget.release(bytes) }
    }
}
