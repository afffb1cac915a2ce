import GRDB
import Synchronization

/// Copies the write-ahead log back into the database file on a connection of its own, so the
/// writer thread does not. With SQLite's automatic checkpoint, the writer did it inside every
/// thousandth page's commit: reading those pages back, writing them into the database and
/// syncing it, while every group-commit job waited (BENCHMARKS.md, "Ingest, 03/12/2026,
/// morning").
///
/// PASSIVE checkpoints never block the writer or readers; they copy what no reader still needs.
/// The writer keeps a larger automatic checkpoint as a backstop (SQLiteStore): a log that is
/// never completely copied while the writer is idle cannot be restarted from its beginning, and
/// the writer's own checkpoint, between two transactions, lets it restart.
final class Checkpointer: Sendable {
    private let connection: DatabaseQueue
    private let state = Mutex(State())
    /// At most this often: each checkpoint that copies pages also syncs the database file.
    private let interval: Duration

    private struct State {
        var running = false
        var wanted = false
    }

    init(path: String, interval: Duration = .milliseconds(100)) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // The database file is synced after each checkpoint, as the writer's own would.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
    }

    /// A transaction has committed: checkpoint soon. Calls while one runs ask for one more.
    func committed() {
        let start = state.withLock { state in
            if state.running {
                state.wanted = true
                return false
            }
            state.running = true
            return true
        }
        if start { Task { await self.run() } }
    }

    private func run() async {
        while true {
            let began = ContinuousClock.now
            // A failure (the disk, a lock) leaves the log to the writer's backstop.
            _ = try? await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            let again = state.withLock { state in
                defer { state.wanted = false }
                if !state.wanted { state.running = false }
                return state.wanted
            }
            guard again else { return }
            try? await Task.sleep(until: began + interval)
        }
    }
}
