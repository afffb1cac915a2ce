import Foundation
import GiupXaClient
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaServer
import GiupXaStorage
import Testing

/// Agency dictionaries (PROTOCOL.md §9.5): a client with acknowledged visits compresses its
/// next sync against them when the server's copy is the same, and otherwise resends without.
@Suite struct AgencyDictionaryTests {
    static func visit(day: Int) -> Visit {
        let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!.addingTimeInterval(Double(day) * 86_400)
        return Visit(
            communeCode: "03376", start: start, end: start.addingTimeInterval(6 * 3600),
            cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc Sở"), Cadre(name: "Quàng Thị Hoa", position: "Chuyên viên")],
            plan: VisitPlan(hasWrittenPlan: true, summary: "Kiểm tra mô hình trồng mắc ca, lần \(day)"),
            activities: [Activity(category: .productionModels, description: "Hướng dẫn kỹ thuật chăm sóc cây mắc ca cho \(day + 12) hộ")],
            results: "Các hộ nắm được kỹ thuật; đề nghị xã theo dõi tiến độ (đợt \(day)).").normalized()
    }

    struct Device {
        let outbox: Outbox
        let client: AgencyClient
        let secret: String

        /// A device with its own client home, and `secret` (default: the server's credential).
        init(server: TestServer, secret: String? = nil) throws {
            self.secret = secret ?? server.secret
            let home = ClientHome(directory: FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-ad-\(UUID().uuidString)"))
            outbox = try home.openOutbox()
            client = try AgencyClient(
                host: "127.0.0.1", port: server.port, agencyCode: "STNMT", secret: self.secret, language: .en,
                counters: outbox, plaintext: true)
        }

        /// The visits the server holds as first stored through this device's credential.
        func storedThroughCredential(_ server: TestServer, count: Int) async throws -> [Giupxa_V1_Visit] {
            let key = try #require(SecureCredential(parsing: secret)).verifier.publicKey
            let id = try #require(try await server.store.authenticate(publicKey: key)).id
            return try await server.store.recentVisits(credentialID: id, count: count).map { Giupxa_V1_Visit($0) }
        }

        func sync(_ visits: [Visit]) async throws -> SyncSummary {
            for visit in visits { try outbox.add(visit) }
            return try await SyncEngine(client: client, outbox: outbox).run { _ in }
        }

        /// Whether a connection offering this device's history has it accepted.
        func offer() async throws -> (visits: Int?, accepted: Bool?) {
            var offering = client
            offering.history = outbox
            let connection = try await offering.connect()
            defer { Task { await connection.close() } }
            return (connection.agencyDictionary?.visits, await connection.agencyDictionaryAccepted())
        }
    }

    @Test func theNextSyncCompressesAgainstTheVisitsOfTheLast() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let device = try Device(server: server)
        // Nothing acknowledged yet: nothing to offer.
        #expect(try await device.offer().visits == nil)
        let first = try await device.sync((0..<6).map { Self.visit(day: $0) })
        #expect(first.sent == 6 && first.pending == 0)
        let offer = try await device.offer()
        #expect(offer.visits == 6 && offer.accepted == true)

        let second = try await device.sync((10..<16).map { Self.visit(day: $0) })
        #expect(second.sent == 6 && second.pending == 0 && second.connections == 1 && second.error == nil)
        // Six visits like the six before: against them they cost less than the first six did.
        #expect(second.bytesSent < first.bytesSent * 9 / 10, "\(second.bytesSent) bytes against \(first.bytesSent)")
        // Read through the agency dictionary, stored exactly as sent.
        let stored = try await device.storedThroughCredential(server, count: 20)
        let sent = try device.outbox.acknowledgedVisits(newestFirst: 20).map { Giupxa_V1_Visit($0) }
        #expect(stored.count == 12 && stored == sent)
        #expect(try await device.offer().visits == 12)
    }

    @Test func eachDeviceHasItsOwnPartWhateverTheOthersFile() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        let other = try await CredentialIssuer(store: server.store).issue(for: .agency(code: "STNMT"), replacing: false).text
        let (a, b) = (try Device(server: server), try Device(server: server, secret: other))
        #expect(try await a.sync((0..<3).map { Self.visit(day: $0) }).sent == 3)
        // The other device files later visits of the same agency: A's part is still its own.
        #expect(try await b.sync((20..<23).map { Self.visit(day: $0) }).sent == 3)
        #expect(try await a.offer() == (3, true))
        #expect(try await b.offer() == (3, true))
    }

    @Test func aPartTheServerDoesNotShareIsRefusedAndTheSyncResendsWithoutIt() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        // Two devices with one credential: what the server stored through it is not what either holds.
        let (a, b) = (try Device(server: server), try Device(server: server))
        #expect(try await a.sync((0..<3).map { Self.visit(day: $0) }).sent == 3)
        #expect(try await b.sync((20..<23).map { Self.visit(day: $0) }).sent == 3)
        let refused = try #require(AgencyDictionary(newestFirst: try a.outbox.acknowledgedVisits(newestFirst: 255)))
        #expect(try await a.offer().accepted == false)

        let later = (30..<32).map { Self.visit(day: $0) }
        let summary = try await a.sync(later)
        #expect(summary.sent == 2 && summary.pending == 0 && summary.error == nil)
        // The refused connection, then one with the published dictionary only.
        #expect(summary.connections == 2)
        #expect(try !a.outbox.shouldOfferAgencyDictionary(digest: refused.digest, now: Date()))
        #expect(try await a.storedThroughCredential(server, count: 2) == later.reversed().map { Giupxa_V1_Visit($0) })
        // B's newest three are no longer the credential's either (A's two are later).
        #expect(try await b.offer().accepted == false)
    }
}
