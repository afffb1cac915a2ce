import GRDB
import Synchronization

/// Group commit: write jobs that arrive while a transaction is being written wait, then go
/// together in the next one, so many concurrent SubmitVisits calls share one transaction, its
/// log pages and its fsync instead of queueing for one each.
///
/// A job that throws is rolled back alone and the others in the transaction still commit.
/// Jobs first run one after the other with nothing between them; only if one throws is the
/// transaction rolled back and the round run again with each job in its own savepoint. (A
/// savepoint per job in every round made SQLite copy each page a job touched first, and on
/// ingest that was a tenth of the writer's time: BENCHMARKS.md, "Ingest, 03/12/2026, morning".)
/// Nobody hears "done" before the transaction holding its job has committed; if the commit
/// fails, every job in it fails.
///
/// Rounds run on the writer's own dispatch queue, one after the other while jobs keep coming,
/// each queued behind any other write that came meanwhile. Nothing between two rounds waits for
/// the Swift concurrency pool: when a round's leader was a task, it and the next leader each
/// queued there behind the calls being decoded while the writer waited (BENCHMARKS.md, "Ingest,
/// 03/12/2026, afternoon").
final class GroupCommit: Sendable {
    private let pool: DatabasePool
    private let state = Mutex<State>(State())

    private struct State: ~Copyable {
        var queue: [Entry] = []
        /// A round is queued on the writer or running; new jobs join the queue it will take.
        var scheduled = false
        var rounds = 0
    }

    /// Transactions written so far (each one fsync): fewer than jobs when writes coalesced.
    var rounds: Int { state.withLock { $0.rounds } }

    /// One queued job. Its result is written by the round that runs it, then read by its
    /// caller after the resume (which orders the two).
    private final class Entry: @unchecked Sendable {
        /// Runs the job and records its value; throws what the job threw.
        let run: (Database) throws -> Void
        /// Records a failure: the job's own, or its round's commit.
        let fail: (any Error) -> Void
        /// Resumed once the job is done, committed or failed.
        let done: CheckedContinuation<Void, Never>

        init(run: @escaping (Database) throws -> Void, fail: @escaping (any Error) -> Void, done: CheckedContinuation<Void, Never>) {
            self.run = run
            self.fail = fail
            self.done = done
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
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let entry = Entry(
                run: { db in outcome.result = .success(try work(db)) },
                fail: { error in outcome.result = .failure(error) },
                done: done)
            let schedule = state.withLock { state in
                state.queue.append(entry)
                defer { state.scheduled = true }
                return !state.scheduled
            }
            if schedule { scheduleRound() }
        }
        return try outcome.result!.get()
    }

    private func scheduleRound() {
        pool.asyncWriteWithoutTransaction { db in self.round(db) }
    }

    /// On the writer's queue: writes every queued job in one transaction, wakes their callers,
    /// and queues the next round if jobs came meanwhile.
    private func round(_ db: Database) {
        let batch = state.withLock { state in
            let batch = state.queue
            state.queue.removeAll(keepingCapacity: true)
            state.rounds += 1
            return batch
        }
        do {
            do {
                try db.inTransaction {
                    for entry in batch {
                        do { try entry.run(db) } catch { throw JobFailed() }
                    }
                    return .commit
                }
            } catch is JobFailed {
                // Everything was rolled back: again, each job alone, so only the failing one fails.
                try db.inTransaction {
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
                    return .commit
                }
            }
            committed()
        } catch {
            // The commit itself failed: nothing of this round is stored.
            for entry in batch { entry.fail(error) }
        }
        for entry in batch { entry.done.resume() }
        let again = state.withLock { state in
            if state.queue.isEmpty { state.scheduled = false }
            return state.scheduled
        }
        if again { scheduleRound() }
    }
}

/// A job threw in the fast path of a round (GroupCommit.round).
private struct JobFailed: Error {}
