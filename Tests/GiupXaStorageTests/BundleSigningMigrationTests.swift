import Foundation
import GiupXaModels
import GRDB
@testable import GiupXaStorage
import Testing

/// Migration v10-bundle-signing: credentials issued before it have no bundle key (they cannot
/// sign a bundle); revisions stored before it have no recorded source; later ones record both.
@Suite struct BundleSigningMigrationTests {
    @Test func earlierCredentialsAndRevisionsKeepNoKeyAndNoSourceLaterOnesRecordThem() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-mig10-\(UUID().uuidString).sqlite").path
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v8-revisions-by-visit-seq")
        let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!
        let visit = Visit(
            agencyCode: "STNMT", communeCode: "03376", start: start, end: start.addingTimeInterval(3_600), cadres: [Cadre(name: "Lò Văn Minh")]
        ).normalized()
        let body = try VisitEncoding.body(visit)
        try await queue.write { db in
            try db.execute(sql: MigrationFixtures.referenceData)
            try db.execute(sql: "INSERT INTO credential(id, role, agency_code, public_key, psk, issued_at) VALUES (7, 'agency', 'STNMT', x'01', x'02', 0)")
            try db.execute(
                sql: """
                    INSERT INTO visit(seq, id, agency_code, commune_code, start_at, end_at, revision, content_sha256, received_at, credential_id)
                    VALUES (1, ?, 'STNMT', '03376', ?, ?, 1, ?, 0, 7)
                    """,
                arguments: [visit.id.uuidString, Int64(visit.start.timeIntervalSince1970), Int64(visit.end.timeIntervalSince1970), VisitEncoding.digest(body)])
            try db.execute(
                sql: "INSERT INTO visit_revision(visit_seq, revision, body, content_sha256, submitted_by, received_at) VALUES (1, 1, ?, ?, 'STNMT', 0)",
                arguments: [body, VisitEncoding.digest(body)])
        }
        try queue.close()

        let store = try SQLiteStore(path: path)
        let old = try #require(try await store.bundleSigner(publicKey: Data([1])))
        #expect(old.info.id == 7 && old.bundleKey == nil && old.info.owner == .agency(code: "STNMT"))
        #expect(try await store.revisions(visitID: visit.id).map(\.source) == [nil])

        let key = Data(repeating: 9, count: 32)
        let issued = try await store.issueCredential(
            for: .agency(code: "STNMT"), publicKey: Data([3]), psk: Data([4]), bundleKey: key, replacing: true,
            now: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(try await store.bundleSigner(publicKey: Data([3])) == BundleSigner(info: issued, bundleKey: key))
        // Revoked by the rotation, and still found: an importer must say why it refuses.
        #expect(try await store.bundleSigner(publicKey: Data([1]))?.info.revokedAt != nil)
        #expect(try await store.bundleSigner(publicKey: Data([5])) == nil)

        // Resent as stored: no new revision; corrected through a connection: `sync`.
        #expect(try await store.submitVisits([visit], agencyCode: "STNMT", credentialID: nil, source: .bundle(credentialID: issued.id), receivedAt: Date())
            == [.alreadyStored(revision: 1)])
        var corrected = visit
        corrected.results = "Đã sửa"
        #expect(try await store.amendVisits([VisitAmendment(visit: corrected, baseRevision: 1)], agencyCode: "STNMT", receivedAt: Date()) == [.stored(revision: 2)])
        var other = visit
        other.id = UUID()
        #expect(try await store.submitVisits([other], agencyCode: "STNMT", credentialID: nil, source: .unsignedBundle(note: "Lò Thị Hoa"), receivedAt: Date())
            == [.stored(revision: 1)])
        #expect(try await store.revisions(visitID: visit.id).map(\.source) == [nil, .sync])
        #expect(try await store.revisions(visitID: other.id).map(\.source) == [.unsignedBundle(note: "Lò Thị Hoa")])
    }

    @Test func sourcesRoundTripThroughTheirStoredText() throws {
        let sources: [VisitSource] = [.sync, .import, .bundle(credentialID: 42), .unsignedBundle(note: "USB: xã Keo Lôm / Lò Thị Hoa")]
        for source in sources {
            #expect(VisitSource(text: source.text) == source)
            #expect(try JSONDecoder().decode(VisitSource.self, from: JSONEncoder().encode(source)) == source)
        }
        #expect(sources.map(\.text) == ["sync", "import", "bundle:42", "unsigned-bundle:USB: xã Keo Lôm / Lò Thị Hoa"])
        #expect(VisitSource(text: "bundle:x") == nil && VisitSource(text: "") == nil)
    }
}
