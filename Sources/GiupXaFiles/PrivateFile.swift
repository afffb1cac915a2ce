#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation

/// Files that hold personal data (visit logs name real people) or key material: created
/// readable by their owner only (0600), whatever the process's umask, and tightened to 0600
/// when they already exist with wider permissions.
public enum PrivateFile {
    public static let mode: mode_t = 0o600

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var operation: String
        public var errno: Int32

        public var description: String {
            "\(operation) \(path): \(String(cString: strerror(errno)))"
        }
    }

    /// Writes `bytes` to `path` atomically: a new file created 0600 next to it, written and
    /// synced, then renamed over `path`. A reader never sees a half-written file.
    public static func write(_ bytes: some Collection<UInt8>, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(path: temporary, operation: "open", errno: errno) }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            // open's mode is filtered by the umask, which can only remove bits: fchmod makes
            // the mode exactly 0600 (and never wider) either way.
            guard fchmod(fd, mode) == 0 else { throw Failure(path: temporary, operation: "chmod", errno: errno) }
            try writeAll(fd, Array(bytes), path: temporary)
            guard fsync(fd) == 0 else { throw Failure(path: temporary, operation: "fsync", errno: errno) }
            closed = true
            guard close(fd) == 0 else { throw Failure(path: temporary, operation: "close", errno: errno) }
            guard rename(temporary, path) == 0 else { throw Failure(path: path, operation: "rename", errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Creates `path` with `bytes` only if nothing is there yet (O_EXCL): for a key that must
    /// never silently replace another one.
    public static func createNew(_ bytes: some Collection<UInt8>, at path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(path: path, operation: "create", errno: errno) }
        defer { close(fd) }
        do {
            guard fchmod(fd, mode) == 0 else { throw Failure(path: path, operation: "chmod", errno: errno) }
            try writeAll(fd, Array(bytes), path: path)
            guard fsync(fd) == 0 else { throw Failure(path: path, operation: "fsync", errno: errno) }
        } catch {
            unlink(path)
            throw error
        }
    }

    /// Makes sure the file at `path` exists and is 0600, before a library (SQLite) opens it:
    /// SQLite creates a database's `-wal` and `-shm` files with the database file's own mode.
    /// Existing companions listed in `companions` (suffixes such as "-wal") are tightened too.
    public static func prepare(_ path: String, companions: [String] = []) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        try tighten(fd, path: path)
        for suffix in companions {
            let companion = path + suffix
            let other = open(companion, O_RDONLY | O_CLOEXEC)
            guard other >= 0 else { continue }
            defer { close(other) }
            try tighten(other, path: companion)
        }
    }

    /// Whether group or others may read or write `path` (a key file must not be).
    public static func isShared(_ path: String) throws -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Failure(path: path, operation: "stat", errno: errno) }
        return info.st_mode & 0o077 != 0
    }

    private static func tighten(_ fd: Int32, path: String) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(path: path, operation: "stat", errno: errno) }
        // Another user's file (an operator reading a database shared with their group) is its
        // owner's to tighten, not ours: leave it as it is.
        guard info.st_mode & 0o077 != 0, info.st_uid == geteuid() else { return }
        guard fchmod(fd, mode) == 0 else { throw Failure(path: path, operation: "chmod", errno: errno) }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "write", errno: errno)
            }
            offset += written
        }
    }
}
