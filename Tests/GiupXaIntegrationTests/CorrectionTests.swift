import Foundation
import Testing

/// Corrections: every revision kept, the latest listed, a stale correction refused.
@Suite struct CorrectionTests {
    func edited(_ h: Harness, results: String, name: String) throws -> String {
        var visit = try #require((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Harness.fixture("visit-1.json")))) as? [[String: Any]])?.first)
        visit["results"] = results
        return try h.write(name, String(decoding: try JSONSerialization.data(withJSONObject: visit), as: UTF8.self))
    }

    @Test func aCorrectionIsANewRevisionAndAStaleOneAConflict() throws {
        let h = try Harness()
        let server = try h.startWithAgency(home: "a")
        defer { server.stop() }
        let id = try #require((try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Harness.fixture("visit-1.json")))) as? [[String: Any]])?.first?["id"] as? String)
        // Two devices of the agency hold the same sent visit (revision 1).
        _ = try h.client("b", "config", "set", "--server", server.address, "--agency", "STNMT", "--secret", try h.secretOf("a"))
        for home in ["a", "b"] {
            #expect(try h.client(home, "visit", "add", "--file", Harness.fixture("visit-1.json")).status == 0)
            #expect(try h.client(home, "sync").status == 0)
        }

        // Device a corrects it: revision 2.
        let fixA = try edited(h, results: "Sửa lần 1: 52 hộ được hỗ trợ", name: "a.json")
        let amendA = try h.client("a", "visit", "amend", id, "--file", fixA, "--format", "json")
        #expect((try amendA.json() as? [String: Any])?["result"] as? String == "amendmentPending")
        let syncA = try h.client("a", "sync", "--format", "json")
        #expect(syncA.status == 0, "\(syncA.stdout)")
        #expect((try syncA.json() as? [String: Any])?["amended"] as? Int == 1)

        // Device b, still at revision 1, corrects it too: refused, nothing overwritten.
        let fixB = try edited(h, results: "Sửa trên máy b", name: "b.json")
        #expect(try h.client("b", "visit", "amend", id, "--file", fixB).status == 0)
        let syncB = try h.client("b", "sync", "--format", "json", "--lang", "en")
        #expect(syncB.status != 0)
        let conflicts = try #require((try syncB.json() as? [String: Any])?["conflicts"] as? [[String: Any]])
        #expect((conflicts.first?["message"] as? String)?.contains("revision 2") == true, "\(conflicts)")

        // The server keeps both revisions and lists the latest.
        let history = try #require(try h.server("history", id, "--format", "json").json() as? [[String: Any]])
        #expect(history.map { $0["revision"] as? Int } == [1, 2])
        let listed = try #require(try h.client("a", "visit", "list", "--server", "--format", "json").json() as? [[String: Any]])
        #expect(listed.count == 1)
        #expect(listed.first?["revision"] as? Int == 2)
        #expect((listed.first?["visit"] as? [String: Any])?["results"] as? String == "Sửa lần 1: 52 hộ được hỗ trợ")

        // Resending the accepted correction changes nothing.
        #expect(try h.client("a", "visit", "amend", id, "--file", fixA).status == 0)
        let again = try h.client("a", "sync", "--format", "json")
        #expect((try again.json() as? [String: Any])?["alreadyOnServer"] as? Int == 1)
        #expect((try h.server("history", id, "--format", "json").json() as? [Any])?.count == 2)

        // An unknown visit cannot be corrected.
        let unknown = try h.client("a", "visit", "amend", "00000000-0000-4000-8000-000000000000", "--file", fixA, "--lang", "en")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("id: not found"))
    }
}
