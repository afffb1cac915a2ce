import Foundation
import Testing

/// The operator commands of `giupxa-server`, as the standing agency runs them.
@Suite struct OperatorTests {
    @Test func agenciesAndADecisionFromAVietnameseSpreadsheet() throws {
        let h = try Harness()
        #expect(try h.server("init").status == 0)
        let added = try h.server("agency", "add", "--code", "SYT2", "--name", "Sở Y tế (thử)".decomposedStringWithCanonicalMapping, "--kind", "so")
        #expect(added.status == 0, "\(added.stderr)")
        let duplicate = try h.server("agency", "add", "--code", "SYT2", "--name", "Sở Y tế")
        #expect(duplicate.status != 0)
        #expect(duplicate.stderr.contains("đã tồn tại"))
        let agencies = try #require(try h.server("agency", "list", "--format", "json").json() as? [[String: Any]])
        #expect(agencies.contains { $0["code"] as? String == "SYT2" && $0["name"] as? String == "Sở Y tế (thử)" })

        // Excel's UTF-8 CSV: BOM, Vietnamese headers, names without tones, an NFD name.
        let csv = try h.write("phan-cong.csv", "\u{FEFF}Cơ quan,Xã,Huyện,Vai trò\r\n"
            + "SYT2,muong nhe,,Phụ trách\r\n"
            + "Sở Tài nguyên và Môi trường,\("Keo Lôm".decomposedStringWithCanonicalMapping),Điện Biên Đông,phối hợp\r\n")
        let args = ["decision", "import", "--number", "2072/QĐ-UBND", "--signed-on", "17/11/2021", "--to", "31/12/2025", "--csv", csv]
        let imported = try Harness.run("giupxa-server", args + ["--db", h.database, "--format", "json"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect((try imported.json() as? [String: Any])?["assignments"] as? Int == 2)
        let again = try Harness.run("giupxa-server", args + ["--db", h.database])
        #expect(again.status == 0)
        #expect(again.stdout.contains("không thay đổi gì"))

        let bad = try h.write("bad.csv", "Cơ quan,Xã\nSYT2,Xã Không Có\n")
        let refused = try Harness.run("giupxa-server", [
            "decision", "import", "--number", "9/QĐ-UBND", "--signed-on", "01/01/2022", "--to", "31/12/2022",
            "--csv", bad, "--db", h.database, "--lang", "en"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("row 2.commune: no commune has this code (Xã Không Có)"), "\(refused.stderr)")
        let decisions = try #require(try h.server("decision", "list", "--format", "json").json() as? [[String: Any]])
        #expect(decisions.count == 2, "the refused import stored nothing")

        let missing = try Harness.run("giupxa-server", ["agency", "list", "--db", h.directory.appendingPathComponent("nope.sqlite").path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("giupxa-server init"))
    }
}

extension OperatorTests {
    @Test func rotatingACredentialLocksTheOldOneOut() throws {
        let h = try Harness()
        let server = try h.startWithAgency()
        defer { server.stop() }
        #expect(try h.client("device", "visit", "add", "--file", Harness.fixture("visit-1.json")).status == 0)
        let rotated = try h.server("credential", "rotate", "--agency", "STNMT", "--format", "json")
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let newSecret = try #require((try rotated.json() as? [String: Any])?["secret"] as? String)

        let refused = try h.client("device", "sync", "--lang", "en", "--max-failures", "0")
        #expect(refused.status != 0)
        #expect(refused.stdout.contains("UNAUTHENTICATED"), "\(refused.stdout)")
        #expect(try h.client("device", "config", "set", "--secret", newSecret).status == 0)
        #expect(try h.client("device", "sync").status == 0)

        let listed = try #require(try h.server("credential", "list", "--agency", "STNMT", "--format", "json").json() as? [[String: Any]])
        #expect(listed.count == 2)
        #expect(listed.filter { $0["revokedAt"] == nil }.count == 1)
        #expect(!(try h.server("credential", "list").stdout.contains("gx1_")), "secrets are never listed")
    }
}

extension OperatorTests {
    /// Issue 15, finding 8: names that would fake lines are refused with their reason; a cadre's
    /// Windows line ends are accepted, and the results show indented under their revision.
    @Test func spoofingTextIsRefusedAndLineEndsAreMendedOnTheClient() throws {
        let h = try Harness()
        let server = try h.startWithAgency()
        defer { server.stop() }
        let spoof = try Harness.run("giupxa-server", ["agency", "add", "--code", "GIA", "--name", "Sở Giả\u{202E}", "--db", h.database, "--lang", "en"])
        #expect(spoof.status != 0)
        #expect(spoof.stderr.contains("name: contains invisible characters"), "\(spoof.stderr)")
        let fakeLine = try Harness.run("giupxa-server", ["agency", "add", "--code", "GIA", "--name", "Sở Giả\nSYT        Sở Y tế", "--db", h.database, "--lang", "en"])
        #expect(fakeLine.stderr.contains("name: contains control characters"), "\(fakeLine.stderr)")
        #expect(!(try h.server("agency", "list").stdout.contains("GIA")))

        let file = try h.write("windows.json", """
            {"commune": "03376", "start": "12/03/2019 08:00", "end": "13/03/2019 16:00",
             "cadres": [{"name": "Lò Văn Minh"}], "results": "Đã rà soát 45 hộ.\\r\\nr2  giả mạo"}
            """)
        let added = try h.client("device", "visit", "add", "--file", file, "--format", "json")
        #expect(added.status == 0, "\(added.stderr)")
        let id = try #require(((try added.json() as? [String: Any])?["recorded"] as? [String])?.first)
        #expect(try h.client("device", "sync").status == 0)
        let history = try h.server("history", id)
        #expect(history.status == 0, "\(history.stderr)")
        let lines = history.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines[0].hasPrefix("r1  "), "\(history.stdout)")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("    ") }, "\(history.stdout)")
        #expect(history.stdout.contains("    r2  giả mạo"))
    }
}
