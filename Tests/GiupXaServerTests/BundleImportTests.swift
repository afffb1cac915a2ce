import Crypto
import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaServer
import GiupXaStorage
import Logging
import Testing

/// Importing offline bundles (PROTOCOL.md §15): only a bundle signed by a live credential of
/// the agency it names is stored, and as that agency's; every refusal stores nothing.
@Suite struct BundleImportTests {
    let store: SQLiteStore
    let stnmt: SecureCredential
    let syt: SecureCredential

    init() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-bundle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
        _ = try await store.loadDefaultData()
        _ = try await ServerKey.prepare(store: store, path: directory.appendingPathComponent("server.key").path)
        let issuer = CredentialIssuer(store: store)
        stnmt = try #require(SecureCredential(parsing: try await issuer.issue(for: .agency(code: "STNMT"), replacing: false).text))
        syt = try #require(SecureCredential(parsing: try await issuer.issue(for: .agency(code: "SYT"), replacing: false).text))
    }

    static func visits(_ count: Int = 3) -> [Giupxa_V1_Visit] {
        (0..<count).map { day in
            let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!.addingTimeInterval(Double(day) * 86_400)
            return Giupxa_V1_Visit(Visit(
                communeCode: "03376", start: start, end: start.addingTimeInterval(6 * 3600),
                cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc Sở")],
                plan: VisitPlan(hasWrittenPlan: true, summary: "Rà soát hộ nghèo"),
                activities: [Activity(category: .socioEconomicReview, description: "Rà soát 45 hộ, đợt \(day)")],
                results: "Hoàn thành kế hoạch, đợt \(day)").normalized())
        }
    }

    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func signed(_ visits: [Giupxa_V1_Visit] = visits(), agency: String = "STNMT", by credential: SecureCredential? = nil) -> [UInt8] {
        VisitBundle.encode(agencyCode: agency, visits: visits, clientName: "test", credential: credential ?? stnmt, compress: false)
    }

    /// Opens and stores as `giupxa-server import-bundle` does.
    @discardableResult
    func importBundle(_ bytes: [UInt8], acceptUnsigned: String? = nil) async throws -> [Giupxa_V1_VisitResult] {
        let opened = try await BundleImporter(store: store).open(bytes, acceptUnsigned: acceptUnsigned)
        return try await VisitIntake(store: store, maxVisitsPerBatch: 500)
            .submitAll(opened.request, agency: opened.agency, source: opened.source, language: .en, logger: Self.logger)
    }

    func refusal(_ bytes: [UInt8], acceptUnsigned: String? = nil) async throws -> BundleImporter.Refusal? {
        do {
            try await importBundle(bytes, acceptUnsigned: acceptUnsigned)
            return nil
        } catch let refusal as BundleImporter.Refusal {
            return refusal
        }
    }

    func storedCount() async throws -> Int { try await store.visits(VisitQuery(agencyCode: nil)).visits.count }

    func credentialID(_ credential: SecureCredential) async throws -> Int64 {
        try #require(try await store.bundleSigner(publicKey: credential.verifier.publicKey)).info.id
    }

    @Test func aGenuineBundleIsStoredOnceAndASyncOfTheSameVisitsIsAlreadyStored() async throws {
        let visits = Self.visits()
        let bytes = signed(visits)
        #expect(try await importBundle(bytes).map(\.outcome) == Array(repeating: .stored, count: 3))
        #expect(try await importBundle(bytes).map(\.outcome) == Array(repeating: .alreadyStored, count: 3))
        #expect(try await storedCount() == 3)
        let id = try await credentialID(stnmt)
        let revisions = try await store.revisions(visitID: try #require(UUID(uuidString: try Giupxa_V1_Visit.uuid(visits[0]))))
        #expect(revisions.map(\.source) == [.bundle(credentialID: id)])
        #expect(revisions.map(\.submittedBy) == ["STNMT"])

        // The device syncs the same visits later, through its connection.
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = visits
        let agency = try #require(try await store.agency(code: "STNMT"))
        let synced = try await VisitIntake(store: store, maxVisitsPerBatch: 1000)
            .submit(request, agency: agency, credentialID: id, language: .en, logger: Self.logger)
        #expect(synced.results.map(\.outcome) == Array(repeating: .alreadyStored, count: 3))
        #expect(try await storedCount() == 3)
    }

    @Test func aBundleWrittenFromScratchWithoutACredentialIsRefused() async throws {
        // Format 1, as anyone can write it: a SHA-256 is no signature.
        #expect(try await refusal(VisitBundle.encodeUnsigned(agencyCode: "STNMT", visits: Self.visits(), clientName: "forger")) == .unsigned)
        // Format 2 with a credential the server never issued.
        let made = SecureCredential.generate(serverPublicKey: stnmt.serverPublicKey)
        #expect(try await refusal(signed(by: made)) == .unknownCredential)
        // Format 2 naming STNMT's real credential, signed with some other key.
        var forged = signed(by: made)
        let key = made.verifier.publicKey, real = stnmt.verifier.publicKey
        let at = try #require(forged.indices.first { Array(forged[$0..<min($0 + 32, forged.count)]) == Array(key) })
        forged.replaceSubrange(at..<at + 32, with: real)
        #expect(try await refusal(forged) == .format(.badSignature))
        #expect(try await storedCount() == 0)
    }

    @Test func aGenuineBundleChangedInTransitIsRefused() async throws {
        let bytes = signed(Self.visits(1))
        let text = Array("đợt 0".utf8)
        let at = try #require(bytes.indices.last { Array(bytes[$0..<min($0 + text.count, bytes.count)]) == text })
        var altered = bytes
        altered[at + text.count - 1] = UInt8(ascii: "7")
        #expect(try await refusal(altered) == .format(.badSignature))
        // Re-hashed: repacked as format 1 with a recomputed SHA-256.
        let (header, request) = try VisitBundle.decodeWithoutVerifying(altered)
        let rehashed = VisitBundle.encodeUnsigned(agencyCode: header.agencyCode, visits: request.visits, clientName: header.clientName)
        #expect(try await refusal(rehashed) == .unsigned)
        #expect(try await storedCount() == 0)
        // The genuine one still imports, and a sync afterwards is no CONFLICT.
        #expect(try await importBundle(bytes).map(\.outcome) == [.stored])
    }

    @Test func aBundleSignedByOneAgencyButNamingAnotherIsRefused() async throws {
        let id = try await credentialID(syt)
        #expect(try await refusal(signed(agency: "STNMT", by: syt)) == .wrongAgency(named: "STNMT", credentialAgency: "SYT", id: id))
        #expect(try await storedCount() == 0)
    }

    /// §15.2: the header's agency code is compared case-insensitively.
    @Test func theHeadersAgencyCodeMatchesInAnyCase() async throws {
        let results = try await importBundle(signed(agency: "stnmt"))
        #expect(results.map(\.outcome) == [.stored, .stored, .stored])
    }

    /// §15.2: bundle visits get SubmitVisits' validation and authorization, one result each.
    @Test func bundleVisitsAreValidatedAndAuthorizedAsASyncIs() async throws {
        var visits = Self.visits(3)
        visits[1].cadres = []  // invalid: a visit needs a cadre
        let stnmt = Set(DefaultData.sampleAssignments.filter { $0.agencyCode == "STNMT" }.map(\.communeCode))
        let elsewhere = try #require(DefaultData.sampleAssignments.first { !stnmt.contains($0.communeCode) }).communeCode
        visits[2].communeCode = elsewhere  // not STNMT's commune
        let results = try await importBundle(signed(visits))
        #expect(results.map(\.outcome) == [.stored, .rejected, .rejected])
        #expect(StatusCode(rawValue: results[1].status.code) == .invalidArgument)
        #expect(StatusCode(rawValue: results[2].status.code) == .permissionDenied)
        #expect(try await storedCount() == 1)
    }

    @Test func aBundleOfARevokedCredentialIsRefused() async throws {
        let bytes = signed()
        let id = try await credentialID(stnmt)
        _ = try await CredentialIssuer(store: store).issue(for: .agency(code: "STNMT"), replacing: true)  // rotation revokes it
        guard case .revoked(id, _)? = try await refusal(bytes) else {
            Issue.record("not refused as revoked")
            return
        }
        #expect(try await storedCount() == 0)
    }

    @Test func aCredentialIssuedBeforeSignedBundlesCannotSign() async throws {
        // As a credential from before migration v10 is stored: no bundle key.
        let old = SecureCredential.generate(serverPublicKey: stnmt.serverPublicKey)
        let info = try await store.issueCredential(
            for: .agency(code: "STNMT"), publicKey: old.verifier.publicKey, psk: old.verifier.psk, replacing: false, now: Date())
        #expect(try await refusal(signed(by: old)) == .noBundleKey(id: info.id))
        #expect(try await storedCount() == 0)
    }

    @Test func anOperatorsCredentialCannotSignABundle() async throws {
        let text = try await CredentialIssuer(store: store).issue(for: .operator(name: "Lò Thị Hoa"), replacing: false).text
        let operatorCredential = try #require(SecureCredential(parsing: text))
        guard case .notAnAgencyCredential? = try await refusal(signed(by: operatorCredential)) else {
            Issue.record("not refused as an operator's")
            return
        }
    }

    @Test func aFormatOneBundleIsImportedOnlyWhenAnOperatorVouchesForIt() async throws {
        let visits = Self.visits(2)
        let bytes = VisitBundle.encodeUnsigned(agencyCode: "STNMT", visits: visits, clientName: "giupxa/0.1")
        #expect(try await refusal(bytes) == .unsigned)
        #expect(try await refusal(bytes, acceptUnsigned: "  ") == .invalidNote)
        #expect(try await storedCount() == 0)
        #expect(try await importBundle(bytes, acceptUnsigned: "USB của xã Keo Lôm, Lò Thị Hoa").map(\.outcome) == [.stored, .stored])
        let revisions = try await store.revisions(visitID: try #require(UUID(uuidString: try Giupxa_V1_Visit.uuid(visits[1]))))
        #expect(revisions.map(\.source) == [.unsignedBundle(note: "USB của xã Keo Lôm, Lò Thị Hoa")])
        // The flag does not weaken format 2: a forged signed bundle is still refused.
        let made = SecureCredential.generate(serverPublicKey: stnmt.serverPublicKey)
        #expect(try await refusal(signed(by: made), acceptUnsigned: "x") == .unknownCredential)
    }

    @Test func refusalsNameTheirReasonInBothLanguages() {
        let refusals: [BundleImporter.Refusal] = [
            .format(.badSignature), .unsigned, .invalidNote, .unknownCredential, .notAnAgencyCredential(id: 1),
            .wrongAgency(named: "STNMT", credentialAgency: "SYT", id: 2), .revoked(id: 3, at: Date()), .noBundleKey(id: 4),
        ]
        for refusal in refusals {
            #expect(refusal.message(.vi) != refusal.message(.en))
            #expect(!refusal.message(.vi).isEmpty)
        }
        #expect(BundleImporter.Refusal.unsigned.message(.en).contains("--accept-unsigned"))
        #expect(BundleImporter.Refusal.format(.badSignature).message(.en).contains("signature"))
    }
}

extension Giupxa_V1_Visit {
    /// The visit's id as text (the wire carries its 16 bytes).
    static func uuid(_ visit: Giupxa_V1_Visit) throws -> String {
        try visit.toModel(agencyCode: "STNMT").id.uuidString
    }
}
