import GiupXaModels
import Synchronization

/// Each agency's assignments, kept in memory: ListAssignments is the call every client makes at
/// every sync, and its answer changes only when a decision is imported. A hit costs a lock and a
/// filter instead of a trip to a reader connection, a statement and a join.
///
/// Staleness is bounded two ways. A decision imported through this store invalidates every entry
/// at once (`invalidate()`); one imported by another process (`giupxa-server decision import`
/// while the server runs) shows up when the entry expires, after at most `lifetime`. Admission
/// of visits never reads this cache: it checks the database inside the write transaction.
final class AssignmentCache: Sendable {
    private struct Entry {
        let assignments: [StoredAssignment]
        let loadedAt: ContinuousClock.Instant
    }

    private struct State: ~Copyable {
        var entries: [String: Entry] = [:]
        /// Bumped by every invalidation, so a load that raced one is not stored.
        var generation = 0
    }

    private let state = Mutex<State>(State())
    let lifetime: Duration

    init(lifetime: Duration = .seconds(1)) {
        self.lifetime = lifetime
    }

    /// The agency's assignments (ordered by period start, then commune code), loading them with
    /// `load` when absent or expired; `day` keeps only those whose period covers it.
    func assignments(
        agencyCode: String, on day: CivilDate?, load: (String) async throws -> [StoredAssignment]
    ) async throws -> [StoredAssignment] {
        let now = ContinuousClock.now
        let (cached, generation) = state.withLock { state -> ([StoredAssignment]?, Int) in
            guard let entry = state.entries[agencyCode], now - entry.loadedAt < lifetime else { return (nil, state.generation) }
            return (entry.assignments, state.generation)
        }
        let all: [StoredAssignment]
        if let cached {
            all = cached
        } else {
            all = try await load(agencyCode)
            let entry = Entry(assignments: all, loadedAt: now)
            state.withLock { state in
                if state.generation == generation { state.entries[agencyCode] = entry }
            }
        }
        guard let day else { return all }
        return all.filter { $0.detail.period.start <= day && day <= $0.detail.period.end }
    }

    /// Forgets every entry: called after this store changed decisions, assignments or communes.
    func invalidate() {
        state.withLock { state in
            state.entries.removeAll()
            state.generation += 1
        }
    }
}
