public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files only their owner may read, written whole or not at all.
public enum PrivateFile {
    /// Writes `bytes` to a fresh temporary file beside `path`, created 0600 (O_CREAT|O_EXCL,
    /// then fchmod, since the umask could only take bits away: with umask 0 a plain create
    /// would still be 0600, and nothing else ever sees the file with wider rights), flushed to
    /// disk, then renamed over `path`: an interrupted write never leaves a half file that looks
    /// whole, and the visits in it are never readable by other users of the machine.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw failure("open \(temporary)") }
        var done = false
        defer {
            if !done { unlink(temporary) }
        }
        do {
            defer { close(fd) }
            guard fchmod(fd, 0o600) == 0 else { throw failure("fchmod \(temporary)") }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { Glue.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("write \(temporary)")
                }
                offset += written
            }
            guard fsync(fd) == 0 else { throw failure("fsync \(temporary)") }
        }
        guard rename(temporary, path) == 0 else { throw failure("rename to \(path)") }
        done = true
    }

    private static func failure(_ what: String) -> any Error {
        let code = errno
        return NSError(
            domain: NSPOSIXErrorDomain, code: Int(code),
            userInfo: [NSLocalizedDescriptionKey: "\(what): \(String(cString: strerror(code)))"])
    }
}

/// The C `write`, which `PrivateFile.write` would otherwise shadow.
private enum Glue {
    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(fd, buffer, count)
        #else
        Darwin.write(fd, buffer, count)
        #endif
    }
}
