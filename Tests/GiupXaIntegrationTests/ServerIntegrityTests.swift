import Foundation
import Testing

/// Finding 11 of issue 18: a damaged database is refused with a sentence, before anything is
/// acknowledged into it.
@Suite struct ServerIntegrityTests {
    @Test func aDamagedDatabaseIsNotServed() throws {
        let h = try Harness()
        #expect(try h.server("init").status == 0)
        #expect(try h.server("check").stdout.contains("không có lỗi"))
        // Scribble over one page in the middle of the file (not its header).
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: h.database))
        let size = try handle.seekToEnd()
        let page: UInt64 = 4096
        #expect(size >= 6 * page, "the database has pages to damage: \(size) bytes")
        try handle.seek(toOffset: (size / page / 2) * page)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(page)))
        try handle.close()

        let served = try h.server("serve", "--listen", "127.0.0.1:0")
        #expect(served.status != 0)
        #expect(served.stderr.contains("Cơ sở dữ liệu bị hỏng"), "\(served.stderr)")
        let checked = try h.server("check", "--lang", "en")
        #expect(checked.status != 0)
        #expect(checked.stderr.contains("The database is damaged"), "\(checked.stderr)")
    }

    @Test func aFileThatIsNoDatabaseIsNamedAsSuch() throws {
        let h = try Harness()
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: h.database))
        let served = try h.server("serve", "--listen", "127.0.0.1:0")
        #expect(served.status != 0)
        #expect(served.stderr.contains("Cơ sở dữ liệu bị hỏng"), "\(served.stderr)")
    }
}

/// PROTOCOL.md §12.1: a report written with `--out` holds names of real people; it is the
/// operator's only, whatever the umask.
@Suite struct ReportFileTests {
    @Test func aReportWrittenWithOutIsOwnerOnly() throws {
        let h = try Harness()
        #expect(try h.server("init").status == 0)
        let out = h.directory.appendingPathComponent("bao-cao.csv").path
        let written = try h.server("report", "--period", "2019", "--format", "csv", "--out", out)
        #expect(written.status == 0, "\(written.stderr)")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? NSNumber).intValue
        #expect(mode == 0o600, "mode \(String(mode, radix: 8))")
    }
}
