import Foundation
import Testing

/// Nothing lost, nothing twice: the real processes killed at awkward moments.
@Suite struct DeliveryTests {
    /// Splits a generated visit file into `parts` files.
    func split(_ file: String, into parts: Int, h: Harness) throws -> [String] {
        let visits = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [[String: Any]])
        let size = visits.count / parts
        return try (0..<parts).map { part in
            let chunk = Array(visits[(part * size)..<((part + 1) * size)])
            return try h.write("part-\(part).json", String(decoding: try JSONSerialization.data(withJSONObject: chunk), as: UTF8.self))
        }
    }

    func ids(in file: String) throws -> Set<String> {
        let visits = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [[String: Any]])
        return Set(visits.compactMap { ($0["id"] as? String)?.uppercased() })
    }

    static let patientSync = ["sync", "--batch-size", "2", "--max-failures", "200", "--backoff-ms", "20", "--backoff-max-ms", "300", "--timeout", "10"]

    @Test(.timeLimit(.minutes(3)))
    func fourClientsWhileTheServerIsKilledFiveTimes() throws {
        let h = try Harness()
        var server = try h.startWithAgency(home: "c0")
        defer { server.kill() }
        let port = server.port
        let secret = try h.secretOf("c0")
        let parts = try split(try h.generatedVisits(400, seed: 4242), into: 4, h: h)
        let homes = (0..<4).map { "c\($0)" }
        for (home, file) in zip(homes, parts) {
            #expect(try h.client(home, "config", "set", "--server", server.address, "--agency", "STNMT", "--secret", secret).status == 0)
            #expect(try h.client(home, "visit", "add", "--file", file).status == 0)
        }
        let logs = homes.map { h.directory.appendingPathComponent("\($0).log") }
        let clients = try zip(homes, logs).map { try h.spawnClient($0, Self.patientSync + ["--lang", "en"], output: $1) }

        var generator = SystemRandomNumberGenerator()
        var checkedAcknowledged = 0
        for _ in 0..<5 {
            usleep(UInt32.random(in: 60_000...200_000, using: &generator))
            server.kill()
            // Everything a client has seen acknowledged must have survived the SIGKILL.
            var acknowledged = Set<String>()
            for home in homes { acknowledged.formUnion(try h.outboxIDs(home, state: "sent")) }
            let onDisk = Set(try h.serverIDs())
            #expect(acknowledged.isSubset(of: onDisk), "lost after SIGKILL: \(acknowledged.subtracting(onDisk).count)")
            checkedAcknowledged = max(checkedAcknowledged, acknowledged.count)
            server = try Harness.ServerProcess(database: h.database, directory: h.directory, port: port)
        }
        for (client, log) in zip(clients, logs) {
            client.waitUntilExit()
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(client.terminationStatus == 0, "\(text.suffix(1500))")
        }
        print("acknowledged visits checked against the database after a SIGKILL: up to \(checkedAcknowledged) of 400")

        let stored = try h.serverIDs()
        #expect(stored.count == 400)
        #expect(Set(stored).count == stored.count)
        var expected = Set<String>()
        for (home, file) in zip(homes, parts) {
            let mine = try ids(in: file)
            expected.formUnion(mine)
            #expect(try h.outboxIDs(home, state: "sent") == mine, "\(home) has visits not acknowledged")
        }
        #expect(Set(stored) == expected)
    }

    @Test(.timeLimit(.minutes(3)))
    func aClientKilledMidSyncAndStartedAgainSendsEachVisitOnce() throws {
        let h = try Harness()
        let server = try h.startWithAgency()
        defer { server.stop() }
        let file = try h.generatedVisits(200, seed: 99)
        #expect(try h.client("device", "visit", "add", "--file", file).status == 0)
        var kills = 0
        for round in 0..<6 {
            let sync = try h.spawnClient("device", Self.patientSync)
            usleep(UInt32(30_000 + round * 40_000))
            if sync.isRunning {
                kill(sync.processIdentifier, SIGKILL)
                kills += 1
            }
            sync.waitUntilExit()
        }
        let final = try h.client("device", "sync", "--format", "json")
        #expect(final.status == 0, "\(final.stdout) \(final.stderr)")
        print("client SIGKILLed mid-sync \(kills) times; final sync: \(final.stdout.replacingOccurrences(of: "\n", with: " "))")
        let stored = try h.serverIDs()
        #expect(stored.count == 200)
        #expect(Set(stored) == (try ids(in: file)))
        #expect(try h.outboxIDs("device", state: "pending").isEmpty)
        #expect(try h.outboxIDs("device", state: "sent").count == 200)
    }

    @Test func aBundleImportedTwiceThenSyncedStoresEachVisitOnce() throws {
        let h = try Harness()
        let server = try h.startWithAgency()
        defer { server.stop() }
        #expect(try h.client("device", "visit", "add", "--file", Harness.fixture("visits-20.json")).status == 0)
        let bundle = h.directory.appendingPathComponent("stnmt.gxb").path
        let exported = try h.client("device", "outbox", "export", bundle)
        #expect(exported.status == 0, "\(exported.stderr)")

        // A damaged copy is refused whole (its signature no longer verifies).
        var damaged = try Data(contentsOf: URL(fileURLWithPath: bundle))
        damaged[damaged.count / 2] ^= 0x40
        let damagedPath = try h.write("damaged.gxb", "")
        try damaged.write(to: URL(fileURLWithPath: damagedPath))
        let refused = try h.server("import-bundle", damagedPath, "--lang", "en")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("nothing stored"), "\(refused.stderr)")
        #expect(try h.serverIDs().isEmpty)

        let first = try h.server("import-bundle", bundle, "--format", "json")
        #expect(first.status == 0, "\(first.stderr)")
        #expect((try first.json() as? [String: Any])?["stored"] as? Int == 20)
        let second = try h.server("import-bundle", bundle, "--format", "json")
        #expect((try second.json() as? [String: Any])?["alreadyStored"] as? Int == 20)

        let sync = try h.client("device", "sync", "--format", "json")
        let summary = try #require(try sync.json() as? [String: Any])
        #expect(summary["sent"] as? Int == 0)
        #expect(summary["alreadyOnServer"] as? Int == 20)
        let stored = try h.serverIDs()
        #expect(stored.count == 20)
        #expect(Set(stored) == (try ids(in: Harness.fixture("visits-20.json"))))
    }
}

extension DeliveryTests {
    /// SIGTERM: the server stops accepting, answers what it has read, exits; the client
    /// reconnects to the restarted server and every visit ends up there once.
    @Test(.timeLimit(.minutes(3)))
    func sigtermDrainsAndTheSyncCarriesOnAfterARestart() throws {
        let h = try Harness()
        var server = try h.startWithAgency()
        let port = server.port
        // A slow link keeps the sync busy long enough to stop the server in the middle of it.
        let link = try LinkSimProcess(upstreamPort: port, directory: h.directory, arguments: ["--profile", "edge"])
        #expect(try h.client("device", "config", "set", "--server", link.address).status == 0)
        let file = try h.generatedVisits(120, seed: 31)
        #expect(try h.client("device", "visit", "add", "--file", file).status == 0)
        let log = h.directory.appendingPathComponent("sync.log")
        let sync = try h.spawnClient(
            "device", ["sync", "--batch-size", "5", "--max-failures", "100", "--backoff-ms", "100", "--backoff-max-ms", "300", "--lang", "en"],
            output: log)
        // Late enough that the secured handshake's first flight (the HELLO and the first window
        // of calls) has arrived and calls are in flight.
        usleep(2_500_000)
        let stopping = ContinuousClock.now
        server.process.terminate()  // SIGTERM
        server.process.waitUntilExit()
        let drainTime = ContinuousClock.now - stopping
        #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0)
        #expect(drainTime < .seconds(15), "drain took \(drainTime)")
        let beforeRestart = Set(try h.serverIDs())
        server = try Harness.ServerProcess(database: h.database, directory: h.directory, port: port)
        defer { server.stop() }
        sync.waitUntilExit()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(sync.terminationStatus == 0, "\(text.suffix(1200))")
        _ = try link.stop()
        print("SIGTERM mid-sync: server drained in \(drainTime), \(beforeRestart.count) visits stored before the restart")
        let stored = try h.serverIDs()
        #expect(stored.count == 120)
        #expect(Set(stored) == (try ids(in: file)))
        #expect(try h.outboxIDs("device", state: "pending").isEmpty)
    }
}
