import Foundation
import GiupXaModels
import Testing

/// The real `giupxa-server` and `giupxa` executables, in separate processes, over loopback.
@Suite struct EndToEndTests {
    @Test func initCredentialAddSyncList() throws {
        let h = try Harness()
        let running = try h.startWithAgency()
        defer { running.stop() }

        let assignments = try h.client("device", "assignments", "--refresh", "--format", "json")
        #expect(assignments.status == 0, "\(assignments.stderr)")
        let cached = try #require((try assignments.json() as? [String: Any])?["assignments"] as? [[String: Any]])
        #expect(Set(cached.compactMap { $0["communeName"] as? String }) == ["Keo Lôm", "Phì Nhừ", "Chiềng Sơ"])

        // Recorded offline: the server is not involved in `visit add`.
        running.stop()
        let added = try h.client("device", "visit", "add", "--file", Harness.fixture("visits-20.json"), "--format", "json")
        #expect(added.status == 0, "\(added.stderr)")
        let ids = try #require((try added.json() as? [String: Any])?["recorded"] as? [String])
        #expect(ids.count == 20)
        // By commune name from the cached assignments, tones and case ignored.
        let byName = try h.client(
            "device", "visit", "add", "--commune", "keo lom", "--start", "01/06/2019 07:30", "--end", "03/06/2019 17:00",
            "--cadre", "Lò Văn Minh|Phó Giám đốc Sở", "--plan", "Rà soát hộ nghèo bản Keo Lôm 2",
            "--activity", "socio_economic_review:Rà soát 52 hộ", "--support", "Chăn ấm|20|chiếc|4.000.000")
        #expect(byName.status == 0, "\(byName.stderr)")
        #expect(byName.stdout.contains("03376"))

        let offline = try h.client("device", "status", "--format", "json")
        #expect((try offline.json() as? [String: Any])?["pending"] as? Int == 21)

        let restarted = try Harness.ServerProcess(database: h.database, directory: h.directory)
        defer { restarted.stop() }
        _ = try h.client("device", "config", "set", "--server", restarted.address)
        let sync = try h.client("device", "sync", "--format", "json")
        #expect(sync.status == 0, "\(sync.stdout) \(sync.stderr)")
        let summary = try #require(try sync.json() as? [String: Any])
        #expect(summary["sent"] as? Int == 21)
        #expect(summary["pending"] as? Int == 0)
        #expect((summary["bytesSent"] as? Int ?? 0) > 0)
        print("21-visit sync: \(summary["bytesSent"]!) bytes sent, \(summary["bytesReceived"]!) received")

        let onServer = try h.client("device", "visit", "list", "--server", "--format", "json")
        #expect(onServer.status == 0, "\(onServer.stderr)")
        let listed = try #require(try onServer.json() as? [[String: Any]])
        #expect(listed.count == 21)
        let operatorView = try h.server("visits", "--format", "json")
        let stored = try #require(try operatorView.json() as? [[String: Any]])
        #expect(stored.count == 21)
        let storedIDs = Set(stored.compactMap { ($0["visit"] as? [String: Any])?["id"] as? String })
        #expect(Set(ids).isSubset(of: storedIDs))
        // Vietnamese text arrives in NFC, byte for byte.
        #expect(operatorView.stdout.contains("Lò Văn Minh"))

        let local = try h.client("device", "visit", "list", "--state", "sent", "--format", "json")
        #expect((try local.json() as? [Any])?.count == 21)

        // Later syncs compress against the visits sent before (an agency dictionary, PROTOCOL.md
        // §9.5): a visit whose results repeat an earlier one's costs far less than the same visit
        // from a new device (same credential, nothing acknowledged yet), and the server's copy
        // being the device's, one connection does it (a refused one would cost a second).
        let results = "Kiểm tra tiến độ mô hình nuôi ong lấy mật ở bản Huổi Luông: 14 hộ tham gia, 6 hộ đã có thu hoạch "
            + "vụ đầu, bình quân 18 lít mật mỗi hộ; đề nghị xã hỗ trợ thêm thùng nuôi và tập huấn phòng bệnh cho đàn ong."
        _ = try h.client("fresh", "config", "set", "--server", restarted.address, "--agency", "STNMT", "--secret", try h.secretOf("device"))
        var bytesSent: [String: Int] = [:]
        for (home, day) in [("device", 10), ("device", 12), ("fresh", 15)] {
            let added = try h.client(
                home, "visit", "add", "--commune", "03376", "--start", "\(day)/06/2019 07:30", "--end", "\(day + 1)/06/2019 17:00",
                "--cadre", "Lò Văn Minh|Phó Giám đốc Sở", "--results", results)
            #expect(added.status == 0, "\(added.stderr)")
            let synced = try h.client(home, "sync", "--format", "json")
            #expect(synced.status == 0, "\(synced.stdout) \(synced.stderr)")
            let summary = try #require(try synced.json() as? [String: Any])
            #expect(summary["sent"] as? Int == 1)
            #expect(summary["connections"] as? Int == 1)
            bytesSent[home] = summary["bytesSent"] as? Int
        }
        let (repeated, fresh) = (bytesSent["device"]!, bytesSent["fresh"]!)
        print("1-visit sync: \(repeated) bytes sent by the device with history, \(fresh) by a new device")
        #expect(repeated + 80 < fresh)
    }

    @Test func identicalResubmissionAndConflictFromAnotherDevice() throws {
        let h = try Harness()
        let running = try h.startWithAgency()
        defer { running.stop() }
        _ = try h.client("device", "visit", "add", "--file", Harness.fixture("visits-20.json"))
        let first = try h.client("device", "sync")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Đã gửi: 20"))

        // A second device holding the same 20 visits, one of them edited.
        _ = try h.client("device2", "config", "set", "--server", running.address, "--agency", "STNMT", "--secret", try h.secretOf("device"))
        var visits = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Harness.fixture("visits-20.json")))) as? [[String: Any]])
        visits[3]["results"] = "Nội dung đã bị sửa trên máy khác"
        let edited = try h.write("edited.json", String(decoding: try JSONSerialization.data(withJSONObject: visits), as: UTF8.self))
        #expect(try h.client("device2", "visit", "add", "--file", edited).status == 0)
        let second = try h.client("device2", "sync", "--format", "json")
        #expect(second.status != 0, "a conflict must fail the command")
        let summary = try #require(try second.json() as? [String: Any])
        #expect(summary["sent"] as? Int == 0)
        #expect(summary["alreadyOnServer"] as? Int == 19)
        let conflicts = try #require(summary["conflicts"] as? [[String: Any]])
        #expect(conflicts.count == 1)
        #expect((conflicts.first?["id"] as? String)?.lowercased() == (visits[3]["id"] as? String)?.lowercased())

        // The server still holds 20 visits, and the stored one is the original.
        let stored = try #require(try h.server("visits", "--format", "json").json() as? [[String: Any]])
        #expect(stored.count == 20)
        let original = stored.first { (($0["visit"] as? [String: Any])?["id"] as? String)?.lowercased() == (visits[3]["id"] as? String)?.lowercased() }
        #expect((original?["visit"] as? [String: Any])?["results"] as? String != "Nội dung đã bị sửa trên máy khác")
        // The server's reason is kept with the visit, in the language the sync asked for.
        let conflictList = try h.client("device2", "visit", "list", "--state", "conflict")
        #expect(conflictList.stdout.contains("Chuyến công tác đã được lưu với nội dung khác (bản 1)"))
    }

    @Test func serverRejectsWhatOnlyItCanCheckAndStoresTheRest() throws {
        let h = try Harness()
        let running = try h.startWithAgency()
        defer { running.stop() }
        var visits = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Harness.fixture("visits-20.json")))) as? [[String: Any]])
        visits = Array(visits.prefix(3))
        // A real commune, assigned to another agency: with no assignments cached, the device
        // cannot tell (it says so) and only the server refuses it.
        let stnmt = Set(DefaultData.sampleAssignments.filter { $0.agencyCode == "STNMT" }.map(\.communeCode))
        let elsewhere = try #require(DefaultData.sampleAssignments.first { !stnmt.contains($0.communeCode) }).communeCode
        visits[1]["commune"] = elsewhere
        let file = try h.write("three.json", String(decoding: try JSONSerialization.data(withJSONObject: visits), as: UTF8.self))
        let added = try h.client("device", "visit", "add", "--file", file)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stderr.contains("giupxa assignments --refresh"))
        let sync = try h.client("device", "sync", "--format", "json", "--lang", "en")
        #expect(sync.status != 0)
        let summary = try #require(try sync.json() as? [String: Any])
        #expect(summary["sent"] as? Int == 2)
        let rejected = try #require(summary["rejected"] as? [[String: Any]])
        #expect(rejected.count == 1)
        #expect((rejected.first?["message"] as? String)?.contains(".commune: ") == true, "\(rejected)")
        #expect((rejected.first?["message"] as? String)?.contains("not assigned") == true, "\(rejected)")
        #expect(try (h.server("visits", "--format", "json").json() as? [Any])?.count == 2)
    }

    @Test func badInputIsRefusedWithFieldAndReasonAndNothingIsRecorded() throws {
        let h = try Harness()
        _ = try h.client("device", "config", "set", "--server", "127.0.0.1:9", "--agency", "STNMT", "--secret", "x")
        let vi = try h.client(
            "device", "visit", "add", "--commune", "03376", "--start", "14/03/2019 08:00", "--end", "12/03/2019 08:00",
            "--support", "Chăn|2|chiếc|-5")
        #expect(vi.status != 0)
        #expect(vi.stderr.contains("end: thời gian kết thúc phải sau thời gian bắt đầu"))
        #expect(vi.stderr.contains("cadres: bắt buộc"))
        #expect(vi.stderr.contains("support[0].value_vnd: không được âm"))
        let en = try h.client(
            "device", "visit", "add", "--commune", "03376", "--start", "12/03/2019 08:00", "--end", "13/03/2019 08:00",
            "--cadre", "Lò Văn Minh", "--activity", "gifts:Quà", "--format", "json", "--lang", "en")
        #expect(en.status != 0)
        let failure = try #require(try en.json() as? [String: Any])
        let fields = try #require(failure["fields"] as? [[String: String]])
        #expect(fields.contains { $0["field"] == "activities[0].category" && $0["reason"] == "unknown_category" })
        #expect(fields.first?["message"]?.contains("unknown activity category") == true)
        let status = try h.client("device", "status", "--format", "json")
        #expect((try status.json() as? [String: Any])?["pending"] as? Int == 0)
        // NFD input is accepted and stored as NFC.
        let nfd = try h.client(
            "device", "visit", "add", "--commune", "03376", "--start", "12/03/2019 08:00", "--end", "13/03/2019 08:00",
            "--cadre", "Lò Văn Minh".decomposedStringWithCanonicalMapping, "--format", "json")
        #expect(nfd.status == 0, "\(nfd.stderr)")
        let entries = try #require(try h.client("device", "visit", "list", "--format", "json").json() as? [[String: Any]])
        let name = ((entries.first?["visit"] as? [String: Any])?["cadres"] as? [[String: Any]])?.first?["name"] as? String
        #expect(name?.unicodeScalars.count == "Lò Văn Minh".precomposedStringWithCanonicalMapping.unicodeScalars.count)
    }

    @Test func wrongCredentialAndGarbageDoNotHurtTheServer() throws {
        let h = try Harness()
        let running = try h.startWithAgency()
        defer { running.stop() }
        _ = try h.client("device", "visit", "add", "--file", Harness.fixture("visit-1.json"))

        // A malformed credential is refused before anything is sent.
        let malformed = try h.client("intruder", "config", "set", "--server", running.address, "--agency", "STNMT", "--secret", "gx1_wrong")
        #expect(malformed.status != 0 && malformed.stderr.contains("gx2_"), "\(malformed.stderr)")
        // A well-formed credential for this server whose secret was never issued: the server
        // decrypts the handshake but knows no such key.
        var forged = Array(try h.issueCredential("SYT"))
        forged[4] = forged[4] == "A" ? "B" : "A"
        _ = try h.client("intruder", "config", "set", "--server", running.address, "--agency", "SYT", "--secret", String(forged))
        _ = try h.client("intruder", "visit", "add", "--file", Harness.fixture("visit-1.json"))
        let refused = try h.client("intruder", "sync", "--lang", "en")
        #expect(refused.status != 0)
        #expect(refused.stdout.contains("UNAUTHENTICATED") || refused.stderr.contains("UNAUTHENTICATED"), "\(refused.stdout) \(refused.stderr)")

        // Garbage, an HTTP request, and a frame claiming 1 GiB, each on its own connection.
        let script = """
            import socket, sys
            port = int(sys.argv[1])
            for payload in [b"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n", b"GX\\x01\\x01\\x00\\x00\\xff\\xff\\xff\\xff\\x03", b"GX\\x09\\x09\\x00\\x00\\x00"]:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(payload)
                try:
                    s.recv(4096)
                except Exception:
                    pass
                s.close()
            """
        try Harness.run("/usr/bin/env", ["python3", "-c", script, String(running.port)])
        let good = try h.client("device", "sync", "--format", "json")
        #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
        #expect((try good.json() as? [String: Any])?["sent"] as? Int == 1)
        #expect(try (h.server("visits", "--format", "json").json() as? [Any])?.count == 1)
    }
}

extension Harness {
    /// The secret configured for a client home (read from its config file).
    func secretOf(_ home: String) throws -> String {
        let data = try Data(contentsOf: directory.appendingPathComponent(home).appendingPathComponent("config.json"))
        return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["secret"] as? String)
    }
}
