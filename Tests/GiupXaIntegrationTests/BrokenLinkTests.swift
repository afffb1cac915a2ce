import Foundation
import Testing

/// Sync through the link simulator when the link keeps dropping.
@Suite struct BrokenLinkTests {
    /// A visit as JSON, without the fields only one side fills in.
    func comparable(_ visit: Any?) -> NSDictionary {
        var dictionary = (visit as? [String: Any]) ?? [:]
        dictionary.removeValue(forKey: "agencyCode")
        return dictionary as NSDictionary
    }

    @Test(.timeLimit(.minutes(3)))
    func twoHundredVisitsThroughALinkCutAtFiftySeededOffsets() throws {
        let h = try Harness()
        let server = try h.startWithAgency()
        defer { server.stop() }
        let link = try LinkSimProcess(
            upstreamPort: server.port, directory: h.directory,
            arguments: ["--cut-random", "50", "--cut-seed", "2017", "--cut-mean-bytes", "700"])
        #expect(try h.client("device", "config", "set", "--server", link.address).status == 0)
        let file = try h.generatedVisits(200, seed: 708)
        #expect(try h.client("device", "visit", "add", "--file", file).status == 0)

        let sync = try h.client(
            "device", "sync", "--max-failures", "60", "--backoff-ms", "10", "--backoff-max-ms", "100", "--format", "json")
        let summary = try #require(try sync.json() as? [String: Any], "\(sync.stdout) \(sync.stderr)")
        #expect(sync.status == 0, "\(sync.stdout) \(sync.stderr)")
        let linkSummary = try link.stop()
        // A connection that finishes before its seeded cut offset is not cut: nearly all are.
        #expect((linkSummary["cuts"] as? Int ?? 0) >= 45, "\(linkSummary)")
        print("200 visits through \(linkSummary["cuts"]!) cuts: \(summary["connections"]!) connections, \(summary["retries"]!) retries, sent \(summary["sent"]!), already on server \(summary["alreadyOnServer"]!), \(summary["bytesSent"]!) bytes up")
        #expect(summary["pending"] as? Int == 0)

        // Exactly the client's 200 visits, each once, with the same content.
        let stored = try #require(try h.server("visits", "--limit", "1000", "--format", "json").json() as? [[String: Any]])
        #expect(stored.count == 200)
        let local = try #require(try h.client("device", "visit", "list", "--format", "json").json() as? [[String: Any]])
        #expect(local.allSatisfy { $0["state"] as? String == "sent" })
        let serverByID = Dictionary(uniqueKeysWithValues: stored.compactMap { entry -> (String, Any)? in
            guard let visit = entry["visit"] as? [String: Any], let id = visit["id"] as? String else { return nil }
            return (id, visit)
        })
        #expect(serverByID.count == 200)
        for entry in local {
            let visit = entry["visit"] as? [String: Any]
            let id = visit?["id"] as? String ?? ""
            #expect(comparable(serverByID[id]) == comparable(visit), "visit \(id) differs")
        }
    }
}
