import GRDB

extension SQLiteStore {
    /// True when `error` is the disk (or the database's size limit) being full: nothing can be
    /// written until an operator frees space, so retrying at once does not help.
    public static func isStorageFull(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.resultCode == .SQLITE_FULL
    }

    /// True when `error` says the file is not a database SQLite can read.
    static func isDamage(_ error: any Error) -> Bool {
        guard let code = (error as? DatabaseError)?.resultCode else { return false }
        return code == .SQLITE_CORRUPT || code == .SQLITE_NOTADB
    }
}
