import GRDB
import Synchronization

/// Group commit: write jobs that arrive while a transaction is being written wait, then go
/// together in the next one, so many concurrent SubmitVisits calls share one fsync instead of
/// queueing for one each (with `synchronous = FULL` the fsync, a few milliseconds, is what
/// bounds the write rate, not the inserts).
///
/// A job that throws is rolled back alone and the others in the transaction still commit.
/// Jobs first run one after the other with nothing between them; only if one throws is the
/// transaction rolled back and the round run again with each job in its own savepoint. (A
/// savepoint per job in every round made SQLite copy each page a job touched first, and on
/// ingest that was a tenth of the writer's time: BENCHMARKS.md, "Ingest, 03/12".) Nobody hears
/// "done" before the transaction holding its job has committed; if the commit fails, every job
/// in it fails.
///
/// No background task: the caller that finds no transaction running leads one round (its own
/// job and everything queued), then hands the lead to the first job that queued meanwhile, so
/// no caller waits longer than its own round and the one before it.
final class GroupCommit: Sendable {
    private let pool: DatabasePool
    private let state = Mutex<State>(State())

    private struct State: ~Copyable {
        var queue: [Entry] = []
        /// A leader is running a round; new jobs queue for the next one.
        var writing = false
        var rounds = 0
    }

    /// Transactions written so far (each one fsync): fewer than jobs when writes coalesced.
    var rounds: Int { state.withLock { $0.rounds } }

    /// One queued job. Its fields are written by the round that runs it, then read by its
    /// caller after the resume (which orders the two).
    private final class Entry: @unchecked Sendable {
        /// Runs the job and records its value; throws what the job threw.
        let run: (Database) throws -> Void
        /// Records a failure: the job's own, or its round's commit.
        let fail: (any Error) -> Void
        /// Resumed with true to lead the next round, false when the job is done; nil once resumed.
        var continuation: CheckedContinuation<Bool, Never>?

        init(run: @escaping (Database) throws -> Void, fail: @escaping (any Error) -> Void) {
            self.run = run
            self.fail = fail
        }
    }

    private final class Outcome<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }

    /// Called after each round's transaction has committed.
    private let committed: @Sendable () -> Void

    init(pool: DatabasePool, committed: @escaping @Sendable () -> Void = {}) {
        self.pool = pool
        self.committed = committed
    }

    /// Runs `work` in a write transaction shared with other concurrent jobs; returns once that
    /// transaction has committed.
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let outcome = Outcome<T>()
        let entry = Entry(
            run: { db in outcome.result = .success(try work(db)) },
            fail: { error in outcome.result = .failure(error) })
        let lead = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let leadNow = state.withLock { state in
                state.queue.append(entry)
                if state.writing {
                    entry.continuation = continuation
                    return false
                }
                state.writing = true
                return true
            }
            if leadNow { continuation.resume(returning: true) }
        }
        if lead { await round() }
        return try outcome.result!.get()
    }

    /// Writes every queued job in one transaction, wakes their callers, and passes the lead on.
    private func round() async {
        let batch = state.withLock { state in
            let batch = state.queue
            state.queue.removeAll(keepingCapacity: true)
            state.rounds += 1
            return batch
        }
        do {
            do {
                try await pool.write { db in
                    for entry in batch {
                        do { try entry.run(db) } catch { throw JobFailed() }
                    }
                }
            } catch is JobFailed {
                // Everything was rolled back: again, each job alone, so only the failing one fails.
                try await pool.write { db in
                    for entry in batch {
                        do {
                            try db.inSavepoint {
                                try entry.run(db)
                                return .commit
                            }
                        } catch {
                            entry.fail(error)
                        }
                    }
                }
            }
            committed()
        } catch {
            // The commit itself failed: nothing of this round is stored.
            for entry in batch { entry.fail(error) }
        }
        let (waiting, next) = state.withLock { state -> ([CheckedContinuation<Bool, Never>], CheckedContinuation<Bool, Never>?) in
            let waiting = batch.compactMap { entry -> CheckedContinuation<Bool, Never>? in
                defer { entry.continuation = nil }
                return entry.continuation
            }
            guard let first = state.queue.first else {
                state.writing = false
                return (waiting, nil)
            }
            defer { first.continuation = nil }
            return (waiting, first.continuation)
        }
        for continuation in waiting { continuation.resume(returning: false) }
        next?.resume(returning: true)
    }
}

/// A job threw in the fast path of a round (GroupCommit.round).
private struct JobFailed: Error {}
