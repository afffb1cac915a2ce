import GiupXaProtocol
import NIOConcurrencyHelpers
import NIOCore

/// Lets a bounded number of large calls (their message, inflated, above `threshold`) do their
/// work at once, server-wide. Decoding, validating and storing a 4 MiB batch is hundreds of
/// milliseconds of CPU on one of the Swift concurrency pool's threads (one per core); 16 of them
/// at once took every thread, and a good client's ListAssignments waited 30 s behind them.
/// With one permit on a 2-core machine, small calls always find a thread. A waiting call keeps
/// its deadline: cancelled (by the deadline, the client or a violation), it leaves the queue.
final class HeavyCallGate: Sendable {
    /// A call is large above either: its work grows with its bytes and with its visits (1000
    /// visits of 50 empty cadre names are 167 KB and 190 ms of CPU).
    let bytesThreshold: Int
    let itemsThreshold: Int
    private struct State {
        var available: Int
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
        /// Between `acquire` and their continuation's closure, and those cancelled meanwhile.
        var entering: Set<UInt64> = []
        var cancelled: Set<UInt64> = []
    }

    private let state: NIOLockedValueBox<State>

    init(permits: Int, bytesThreshold: Int = 256 << 10, itemsThreshold: Int = 200) {
        self.bytesThreshold = bytesThreshold
        self.itemsThreshold = itemsThreshold
        state = NIOLockedValueBox(State(available: max(1, permits)))
    }

    /// Whether a call of this method and message must wait its turn.
    func isLarge(_ method: Method, message: ByteBuffer) -> Bool {
        if message.readableBytes > bytesThreshold { return true }
        switch method {
        case .submitVisits, .amendVisits: return WireShape.items(in: message) > itemsThreshold
        case .listAssignments, .listVisits, .complianceReport: return false
        }
    }

    /// Runs `body`, first waiting for a permit if `large`.
    func run<T: Sendable>(large: Bool, _ body: () async throws -> T) async throws -> T {
        guard large else { return try await body() }
        try await acquire()
        defer { release() }
        try Task.checkCancellation()
        return try await body()
    }

    private func acquire() async throws {
        let id = state.withLockedValue { state -> UInt64 in
            state.nextID += 1
            state.entering.insert(state.nextID)
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLockedValue { state -> Bool? in
                    state.entering.remove(id)
                    if state.cancelled.remove(id) != nil { return false }
                    if state.available > 0 {
                        state.available -= 1
                        return true
                    }
                    state.waiters.append((id, continuation))
                    return nil
                }
                switch outcome {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                    if state.entering.contains(id) { state.cancelled.insert(id) }
                    return nil
                }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
