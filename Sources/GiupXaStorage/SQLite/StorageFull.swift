import GRDB

extension SQLiteStore {
    /// True when `error` is the disk (or the database's size limit) being full: nothing can be
    /// written until an operator frees space, so retrying at once does not help.
    public static func isStorageFull(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.resultCode == .SQLITE_FULL
    }
}
