import Foundation
import GiupXaModels
import Testing

/// What a cadre types is what is stored (issue 18, findings 1 and 3): the real `giupxa` binary.
@Suite struct DataEntryTests {
    static func add(_ h: Harness, _ extra: [String], support: String = "Gạo|10|kg|150.000") throws -> Harness.Result {
        try h.client("device", arguments: ["visit", "add", "--commune", "03376", "--cadre", "Lò Văn Minh|Chuyên viên", "--support", support] + extra)
    }

    @Test func vietnameseNumbersAreReadAsMeantAndAmbiguousOnesRefused() throws {
        let h = try Harness()
        _ = try h.client("device", "config", "set", "--server", "127.0.0.1:9", "--agency", "STNMT", "--secret", "x")
        let dates = ["--start", "12/03/2019 08:00", "--end", "13/03/2019 16:00"]

        let added = try Self.add(h, dates + ["--format", "json"], support: "Gạo|1.000|kg|15.000.000 đ")
        #expect(added.status == 0, "\(added.stderr)")
        let entries = try #require(try h.client("device", "visit", "list", "--format", "json").json() as? [[String: Any]])
        let item = try #require(((entries.first?["visit"] as? [String: Any])?["support"] as? [[String: Any]])?.first)
        #expect(item["quantity"] as? Double == 1000)
        #expect((item["valueVND"] ?? item["value_vnd"]) as? Int == 15_000_000, "\(item)")

        let shown = try Self.add(h, ["--start", "20/03/2019 08:00", "--end", "21/03/2019 16:00"], support: "Gạo|1.000|kg|15.000.000")
        #expect(shown.stdout.contains("hỗ trợ: Gạo 1.000 kg — 15.000.000 đ"), "what was understood is shown: \(shown.stdout)")

        let ambiguous = try Self.add(h, dates, support: "Gạo|1,000|kg|2,5")
        #expect(ambiguous.status != 0)
        #expect(ambiguous.stderr.contains("support[0].quantity: không rõ nghĩa (1,000): có thể là 1000 hoặc 1,000"), "\(ambiguous.stderr)")
        #expect(ambiguous.stderr.contains("support[0].value_vnd: sai định dạng (2,5)"), "\(ambiguous.stderr)")
        #expect(try (h.client("device", "status", "--format", "json").json() as? [String: Any])?["pending"] as? Int == 2)
    }

    /// Finding 6: a file is added whole or not at all; adding it again adds nothing.
    @Test func aFileIsAddedOnceAndWhole() throws {
        let h = try Harness()
        _ = try h.client("device", "config", "set", "--server", "127.0.0.1:9", "--agency", "STNMT", "--secret", "x")
        let file = Harness.fixture("visits-20.json")
        let first = try h.client("device", "visit", "add", "--file", file, "--format", "json")
        #expect(first.status == 0, "\(first.stderr)")
        let again = try h.client("device", "visit", "add", "--file", file, "--format", "json")
        #expect(again.status == 0, "\(again.stderr)")
        let summary = try #require(try again.json() as? [String: Any])
        #expect((summary["recorded"] as? [Any])?.count == 0)
        #expect((summary["skipped"] as? [Any])?.count == 20)
        // The same ids with other content: refused by id, and nothing of the file is recorded.
        var visits = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [[String: Any]])
        visits[3]["results"] = "Nội dung khác"
        visits.append(["commune": "03376", "start": "01/07/2019 08:00", "end": "02/07/2019 16:00", "cadres": [["name": "Lò Văn Minh"]]])
        let changed = try h.write("changed.json", String(decoding: try JSONSerialization.data(withJSONObject: visits), as: UTF8.self))
        let refused = try h.client("device", "visit", "add", "--file", changed)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("[3].id: bị trùng"), "\(refused.stderr)")
        #expect(try (h.client("device", "status", "--format", "json").json() as? [String: Any])?["pending"] as? Int == 20)
    }

    @Test func aDayWithoutATimeIsRefusedAndEveryPromisedFormIsRead() throws {
        let h = try Harness()
        _ = try h.client("device", "config", "set", "--server", "127.0.0.1:9", "--agency", "STNMT", "--secret", "x")
        let dayOnly = try Self.add(h, ["--start", "12/03/2019", "--end", "13/03/2019 16:00"])
        #expect(dayOnly.status != 0)
        #expect(dayOnly.stderr.contains("start: sai định dạng (12/03/2019); ví dụ: 12/03/2019 08:00"), "\(dayOnly.stderr)")

        for (start, end) in [("2019-03-12 08:00", "2019-03-13 16:00"), ("2019-03-12T08:00", "2019-03-13T16:00:00+07:00"), ("12/03/2019 8h", "13/03/2019 16h00")] {
            let added = try Self.add(h, ["--start", start, "--end", end, "--allow-duplicate"])
            #expect(added.status == 0, "\(start): \(added.stderr)")
        }
        let entries = try #require(try h.client("device", "visit", "list", "--format", "json").json() as? [[String: Any]])
        let starts = Set(entries.compactMap { ($0["visit"] as? [String: Any])?["start"] as? String })
        #expect(entries.count == 3)
        #expect(starts.count == 1, "the three forms are one moment: \(starts)")
    }

    /// Finding 2: what the device can check, it checks at `visit add`.
    @Test func communesAreCheckedOfflineAgainstTheProvinceAndTheCachedAssignments() throws {
        let h = try Harness()
        let running = try h.startWithAgency()
        defer { running.stop() }
        let dates = ["--start", "12/03/2019 08:00", "--end", "13/03/2019 16:00"]
        let noSuch = try h.client("device", arguments: ["visit", "add", "--commune", "99999", "--cadre", "Lò Văn Minh"] + dates)
        #expect(noSuch.status != 0)
        #expect(noSuch.stderr.contains("commune: không có xã với mã này (99999)"), "\(noSuch.stderr)")

        #expect(try h.client("device", "assignments", "--refresh").status == 0)
        running.stop()  // the rest is offline
        let stnmt = Set(DefaultData.sampleAssignments.filter { $0.agencyCode == "STNMT" }.map(\.communeCode))
        let elsewhere = try #require(DefaultData.communes.first { !stnmt.contains($0.code) })
        // By name too: a real commune that is not the agency's is named as such, not a format error.
        let unassigned = try h.client("device", arguments: ["visit", "add", "--commune", elsewhere.name, "--cadre", "Lò Văn Minh"] + dates)
        #expect(unassigned.status != 0)
        #expect(unassigned.stderr.contains("xã \(elsewhere.code) \(elsewhere.name) không được phân công cho cơ quan; các xã được phân công: 03208 Phì Nhừ, 03211 Chiềng Sơ, 03376 Keo Lôm"), "\(unassigned.stderr)")
        // Assigned, but the decision's period does not cover the visit.
        let early = try h.client("device", arguments: ["visit", "add", "--commune", "03376", "--cadre", "Lò Văn Minh", "--start", "12/03/2016 08:00", "--end", "13/03/2016 16:00"])
        #expect(early.status != 0)
        #expect(early.stderr.contains("được phân công cho cơ quan trong 17/08/2017–31/12/2020, không phải trong thời gian chuyến công tác 12/03/2016–13/03/2016"), "\(early.stderr)")
        let fine = try h.client("device", arguments: ["visit", "add", "--commune", "keo lom", "--cadre", "Lò Văn Minh"] + dates)
        #expect(fine.status == 0, "\(fine.stderr)")
        #expect(!fine.stderr.contains("assignments --refresh"))
        #expect(try (h.client("device", "status", "--format", "json").json() as? [String: Any])?["pending"] as? Int == 1)
    }

    /// Finding 7: file errors are sentences, not Foundation's or the decoder's descriptions.
    @Test func fileProblemsAreSentencesACadreCanActOn() throws {
        let h = try Harness()
        _ = try h.client("device", "config", "set", "--server", "127.0.0.1:9", "--agency", "STNMT", "--secret", "x")
        let missing = try h.client("device", "visit", "add", "--file", "/nonexistent/visits.json")
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("Không có tệp /nonexistent/visits.json"), "\(missing.stderr)")
        #expect(!missing.stderr.contains("NSCocoaErrorDomain"))
        let broken = try h.write("broken.json", "[\n  {\"commune\": \"03376\",\n   \"start\": x}\n]")
        let syntax = try h.client("device", "visit", "add", "--file", broken, "--lang", "en")
        #expect(syntax.stderr.contains("syntax error at line 3, column 13"), "\(syntax.stderr)")
        let foreign = try h.write("foreign.json", #"{"commune": "03376", "start": "12/03/2019 08:00", "end": "13/03/2019 16:00", "cadres": [{"name": "Lò Văn Minh", "chuc_vu": "Chuyên viên"}]}"#)
        let unknown = try h.client("device", "visit", "add", "--file", foreign)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("cadres[0]: khoá \"chuc_vu\" không có trong định dạng"), "\(unknown.stderr)")
        #expect(!unknown.stderr.contains("DecodingError"))
    }

    /// Finding 4: the same visit recorded twice (same commune, overlapping times, a cadre in
    /// common) is refused, from flags or from a file without ids, unless --allow-duplicate.
    @Test func theSameVisitTwiceIsRefusedUnlessAllowed() throws {
        let h = try Harness()
        _ = try h.client("device", "config", "set", "--server", "127.0.0.1:9", "--agency", "STNMT", "--secret", "x")
        let first = try Self.add(h, ["--start", "12/03/2019 08:00", "--end", "14/03/2019 16:00"])
        #expect(first.status == 0, "\(first.stderr)")
        // Overlapping, the same cadre written without tones.
        let again = try h.client("device", arguments: ["visit", "add", "--commune", "03376", "--cadre", "lo van minh", "--start", "13/03/2019 08:00", "--end", "13/03/2019 17:00"])
        #expect(again.status != 0)
        #expect(again.stderr.contains("trùng với chuyến công tác"), "\(again.stderr)")
        #expect(again.stderr.contains("--allow-duplicate"))
        let allowed = try h.client("device", arguments: ["visit", "add", "--commune", "03376", "--cadre", "lo van minh", "--start", "13/03/2019 08:00", "--end", "13/03/2019 17:00", "--allow-duplicate"])
        #expect(allowed.status == 0, "\(allowed.stderr)")

        // A file without ids, added twice: the second time every visit is a duplicate, and nothing is added.
        var visits = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Harness.fixture("visits-20.json")))) as? [[String: Any]])
        for index in visits.indices { visits[index]["id"] = nil }
        let file = try h.write("no-ids.json", String(decoding: try JSONSerialization.data(withJSONObject: Array(visits.prefix(5))), as: UTF8.self))
        #expect(try h.client("device", "visit", "add", "--file", file).status == 0)
        let twice = try h.client("device", "visit", "add", "--file", file)
        #expect(twice.status != 0)
        #expect(twice.stderr.contains("[0].start: trùng với chuyến công tác"), "\(twice.stderr)")
        #expect(try (h.client("device", "status", "--format", "json").json() as? [String: Any])?["pending"] as? Int == 7)
    }

    /// Finding 5: listings show a short id and the commune's name; that id is enough for
    /// `amend` and `discard`; a pending visit recorded by mistake can be removed.
    @Test func shortIdsNameAVisitAndAMistakeCanBeDiscarded() throws {
        let h = try Harness()
        _ = try h.client("device", "config", "set", "--server", "127.0.0.1:9", "--agency", "STNMT", "--secret", "x")
        let added = try Self.add(h, ["--start", "12/03/2019 08:00", "--end", "14/03/2019 16:00", "--format", "json"])
        let id = try #require(((try added.json() as? [String: Any])?["recorded"] as? [String])?.first)
        let short = String(id.prefix(8))
        let listed = try h.client("device", "visit", "list")
        #expect(listed.stdout.contains("\(short)  12/03/2019 08:00  03376 Keo Lôm  3 ngày"), "\(listed.stdout)")

        let amended = try h.client("device", arguments: ["visit", "amend", short.lowercased(), "--commune", "03376", "--cadre", "Lò Văn Minh",
                                                         "--start", "12/03/2019 08:00", "--end", "14/03/2019 17:00"])
        #expect(amended.status == 0, "\(amended.stderr)")
        let unknown = try h.client("device", "visit", "discard", "FFFFFFFF", "--yes")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("id: không tìm thấy (FFFFFFFF)"), "\(unknown.stderr)")
        let discarded = try h.client("device", "visit", "discard", short, "--yes")
        #expect(discarded.status == 0, "\(discarded.stderr)")
        #expect(discarded.stdout.contains("Đã xoá chuyến công tác \(short)"))
        #expect(try (h.client("device", "status", "--format", "json").json() as? [String: Any])?["pending"] as? Int == 0)
    }

    /// Finding 11: a pending row changed on the disk is noticed, named and not sent; the others still are.
    @Test func aChangedOutboxRowIsNamedAndNotSent() throws {
        let h = try Harness()
        let running = try h.startWithAgency()
        defer { running.stop() }
        let visits = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Harness.fixture("visits-20.json")))) as? [[String: Any]])
        let file = try h.write("two.json", String(decoding: try JSONSerialization.data(withJSONObject: Array(visits.prefix(2))), as: UTF8.self))
        #expect(try h.client("device", "visit", "add", "--file", file).status == 0)
        #expect(try h.client("device", "doctor").status == 0)
        // One byte of one record changed behind the client's back (python's sqlite3: no SQLite CLI here).
        let outbox = h.directory.appendingPathComponent("device/outbox.sqlite").path
        let edit = try Harness.run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            rowid, record = db.execute("SELECT rowid, record FROM outbox_visit ORDER BY id LIMIT 1").fetchone()
            record = bytearray(record); record[-2] ^= 1
            db.execute("UPDATE outbox_visit SET record = ? WHERE rowid = ?", (bytes(record), rowid)); db.commit()
            """, outbox])
        #expect(edit.status == 0, "\(edit.stderr)")
        let doctor = try h.client("device", "doctor")
        #expect(doctor.status != 0)
        #expect(doctor.stdout.contains("1 chuyến công tác trong hộp thư đi bị hỏng"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("không khớp mã kiểm tra"))
        let sync = try h.client("device", "sync", "--format", "json")
        #expect(sync.stderr.contains("bị hỏng nên được để riêng"), "\(sync.stderr)")
        #expect((try sync.json() as? [String: Any])?["sent"] as? Int == 1)
        #expect(try (h.server("visits", "--format", "json").json() as? [Any])?.count == 1)
    }
}

/// Finding 12 of issue 18: the operator's commands say what they did and refuse a mistyped code.
@Suite struct OperatorEntryTests {
    @Test func aMistypedAgencyIsRefusedAndASecondInitSaysWhatItKept() throws {
        let h = try Harness()
        #expect(try h.server("init").status == 0)
        let visits = try h.server("visits", "--agency", "STMNT")
        #expect(visits.status != 0)
        #expect(visits.stderr.contains("--agency: không có cơ quan với mã này (STMNT); gần nhất: STNMT"), "\(visits.stderr)")
        let report = try h.server("report", "--period", "2019", "--agency", "nope", "--lang", "en")
        #expect(report.status != 0)
        #expect(report.stderr.contains("--agency: no agency has this code (NOPE)"), "\(report.stderr)")
        let again = try h.server("init")
        #expect(again.status == 0)
        #expect(again.stdout.contains("đã có sẵn và được giữ nguyên"), "\(again.stdout)")
    }
}

extension OperatorEntryTests {
    @Test func anAgencyOfAnExistingNameOrAnUnknownKindIsRefused() throws {
        let h = try Harness()
        #expect(try h.server("init").status == 0)
        let twin = try h.server("agency", "add", "--code", "STNMT2", "--name", "sở tài nguyên và môi trường")
        #expect(twin.status != 0)
        #expect(twin.stderr.contains("cơ quan STNMT đã có tên này"), "\(twin.stderr)")
        let kind = try h.server("agency", "add", "--code", "SNEW", "--name", "Sở Mới", "--kind", "sô")
        #expect(kind.status != 0)
        #expect(kind.stderr.contains("kind: sai định dạng (sô); gần nhất: so"), "\(kind.stderr)")
        #expect(try h.server("agency", "add", "--code", "SNEW", "--name", "Sở Mới", "--kind", "ban").status == 0)
    }
}

extension OperatorEntryTests {
    @Test func revokingAnotherAgencysCredentialIdSaysWhoseItIsAndRevokesNothing() throws {
        let h = try Harness()
        #expect(try h.server("init").status == 0)
        _ = try h.issueCredential("STNMT")
        _ = try h.issueCredential("SYT")
        let listed = try #require(try h.server("credential", "list", "--format", "json").json() as? [[String: Any]])
        let syt = try #require(listed.first { ($0["owner"] as? [String: Any])?["agency"] != nil && "\($0["owner"]!)".contains("SYT") }?["id"] as? Int)
        let wrong = try h.server("credential", "revoke", "--agency", "STNMT", "--id", "\(syt)")
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("khoá #\(syt) thuộc"), "\(wrong.stderr)")
        let none = try h.server("credential", "revoke", "--agency", "STNMT", "--id", "999")
        #expect(none.status != 0)
        #expect(none.stderr.contains("--id: không tìm thấy (999)"), "\(none.stderr)")
        let after = try #require(try h.server("credential", "list", "--format", "json").json() as? [[String: Any]])
        #expect(after.allSatisfy { $0["revokedAt"] == nil }, "nothing was revoked")
    }
}

extension OperatorEntryTests {
    /// Finding 5 on the server side: `visits` shows the short id, and `history` takes it.
    @Test func historyTakesTheShortIdTheListingShows() throws {
        let h = try Harness()
        let running = try h.startWithAgency()
        defer { running.stop() }
        #expect(try h.client("device", "visit", "add", "--file", Harness.fixture("visit-1.json")).status == 0)
        #expect(try h.client("device", "sync").status == 0)
        let stored = try #require(try h.server("visits", "--format", "json").json() as? [[String: Any]])
        let id = try #require((stored.first?["visit"] as? [String: Any])?["id"] as? String).uppercased()
        let short = String(id.prefix(8))
        #expect(try h.server("visits").stdout.contains(short))
        let history = try h.server("history", short.lowercased())
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.hasPrefix("r1"), "\(history.stdout)")
        // A correction: history names what it changed.
        let parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Harness.fixture("visit-1.json"))))
        var visit = try #require((parsed as? [String: Any]) ?? (parsed as? [[String: Any]])?.first)
        visit["results"] = "Kết quả đã được bổ sung sau chuyến đi."
        let corrected = try h.write("corrected.json", String(decoding: try JSONSerialization.data(withJSONObject: visit), as: UTF8.self))
        let amended = try h.client("device", "visit", "amend", short, "--file", corrected)
        #expect(amended.status == 0, "\(amended.stderr)")
        #expect(try h.client("device", "sync").status == 0)
        let corrections = try h.server("history", short)
        #expect(corrections.stdout.contains("r2"), "\(corrections.stdout)")
        #expect(corrections.stdout.contains("đã sửa: kết quả"), "\(corrections.stdout)")
        let unknown = try h.server("history", "FFFFFFFF")
        #expect(unknown.stderr.contains("id: không tìm thấy (FFFFFFFF)"), "\(unknown.stderr)")
    }
}

extension OperatorEntryTests {
    /// Finding 12: the communes and their codes are listed, by district.
    @Test func communesAreListedByDistrict() throws {
        let h = try Harness()
        #expect(try h.server("init").status == 0)
        let all = try #require(try h.server("communes", "--format", "json").json() as? [[String: Any]])
        #expect(all.count == 130)
        let muongNhe = try h.server("communes", "--district", "muong nhe")
        #expect(muongNhe.stdout.hasPrefix("Huyện Mường Nhé\n  03154  Sín Thầu"), "\(muongNhe.stdout)")
        #expect(try h.server("communes", "--district", "nowhere").status != 0)
    }
}
