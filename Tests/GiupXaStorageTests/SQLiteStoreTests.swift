import Foundation
import GiupXaModels
import GiupXaStorage
import Testing

@Suite struct SQLiteStoreTests {
    let directory: URL
    let store: SQLiteStore

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteStore(path: directory.appendingPathComponent("s.sqlite").path)
        _ = try await store.loadDefaultData()
    }

    static func visit(_ commune: String = "03376", results: String = "Hoàn thành") -> Visit {
        let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!
        return Visit(
            communeCode: commune, start: start, end: start.addingTimeInterval(86_400),
            cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc")], results: results
        ).normalized()
    }

    @Test func defaultDataLoadsOnceAndAgainChangesNothing() async throws {
        let again = try await store.loadDefaultData()
        #expect(again.communes == 130)
        #expect(try await store.communes().count == 130)
        #expect(try await store.decisions().count == 1)
        let stnmt = try await store.assignments(agencyCode: "STNMT", on: nil)
        #expect(Set(stnmt.map(\.detail.commune.name)) == ["Keo Lôm", "Phì Nhừ", "Chiềng Sơ"])
        #expect(stnmt.allSatisfy { $0.isSample })
        #expect(try await store.assignments(agencyCode: "STNMT", on: CivilDate(year: 2022, month: 1, day: 1)).isEmpty)
    }

    @Test func identicalResubmissionIsAcknowledgedWithoutASecondCopy() async throws {
        let visit = Self.visit()
        #expect(try await store.submitVisits([visit], agencyCode: "STNMT", receivedAt: Date()) == [.stored(revision: 1)])
        #expect(try await store.submitVisits([visit], agencyCode: "STNMT", receivedAt: Date()) == [.alreadyStored(revision: 1)])
        #expect(try await store.visits(VisitQuery(agencyCode: "STNMT")).visits.count == 1)
    }

    /// Agency dictionaries (PROTOCOL.md §9.5) are the visits a credential stored first; a
    /// visit an offline bundle brought belongs to the first credential that resends it.
    @Test func recentVisitsAreThoseACredentialStoredFirstOrResentAfterABundle() async throws {
        let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!
        let visits = (0..<4).map { day in
            Visit(communeCode: "03376", start: start.addingTimeInterval(Double(day) * 86_400), end: start.addingTimeInterval(Double(day) * 86_400 + 3600),
                  cadres: [Cadre(name: "Lò Văn Minh")]).normalized()
        }
        _ = try await store.submitVisits([visits[0], visits[2]], agencyCode: "STNMT", credentialID: 7, receivedAt: Date())
        _ = try await store.submitVisits([visits[1]], agencyCode: "STNMT", credentialID: 8, receivedAt: Date())
        _ = try await store.submitVisits([visits[3]], agencyCode: "STNMT", receivedAt: Date())  // a bundle
        #expect(try await store.recentVisits(credentialID: 7, count: 10).map(\.id) == [visits[2].id, visits[0].id])
        // Resent by 7: the bundle's visit becomes 7's; 8's stays 8's.
        #expect(try await store.submitVisits([visits[3], visits[1]], agencyCode: "STNMT", credentialID: 7, receivedAt: Date())
            == [.alreadyStored(revision: 1), .alreadyStored(revision: 1)])
        #expect(try await store.recentVisits(credentialID: 7, count: 2).map(\.id) == [visits[3].id, visits[2].id])
        #expect(try await store.recentVisits(credentialID: 8, count: 10).map(\.id) == [visits[1].id])
    }

    @Test func sameIdDifferentContentIsAConflictAndTheStoredVisitIsUntouched() async throws {
        let original = Self.visit()
        _ = try await store.submitVisits([original], agencyCode: "STNMT", receivedAt: Date())
        var changed = original
        changed.results = "Nội dung khác"
        #expect(try await store.submitVisits([changed], agencyCode: "STNMT", receivedAt: Date()) == [.conflict(revision: 1)])
        // Another agency reusing the id learns only that it is taken, not its revision (issue 15,
        // finding 11), and where the commune is not its own, only that it is not assigned.
        var elsewhere = original
        elsewhere.communeCode = DefaultData.sampleAssignments.first { $0.agencyCode == "SYT" }!.communeCode
        #expect(try await store.submitVisits([elsewhere], agencyCode: "SYT", receivedAt: Date()) == [.idTaken])
        let refused = try await store.submitVisits([original], agencyCode: "SYT", receivedAt: Date())
        guard case .denied? = refused.first else { Issue.record("\(refused)"); return }
        let stored = try await store.visits(VisitQuery(agencyCode: nil)).visits
        #expect(stored.count == 1)
        #expect(stored.first?.visit.results == "Hoàn thành")
        #expect(stored.first?.visit.agencyCode == "STNMT")
    }

    @Test func unknownCommuneIsRejectedAndTheRestOfTheBatchStored() async throws {
        let outcomes = try await store.submitVisits([Self.visit("99999"), Self.visit("03208")], agencyCode: "STNMT", receivedAt: Date())
        #expect(outcomes.count == 2)
        #expect(outcomes[0] == .rejected(FieldIssue(field: "commune", reason: .unknownCommune, value: "99999")))
        #expect(outcomes[1] == .stored(revision: 1))
    }

    @Test func credentialsAreFoundByPublicKeyWithTheirOwner() async throws {
        let key = Data(repeating: 1, count: 32), psk = Data(repeating: 2, count: 32)
        let issued = try await store.issueCredential(for: .agency(code: "stnmt"), publicKey: key, psk: psk, replacing: false, now: Date())
        #expect(issued.owner == .agency(code: "STNMT"))
        let found = try await store.authenticate(publicKey: key)
        #expect(found?.principal == .agency(Agency(code: "STNMT", name: "Sở Tài nguyên và Môi trường", kind: "so")))
        #expect(found?.psk == psk)
        #expect(try await store.authenticate(publicKey: Data(repeating: 3, count: 32)) == nil)
        await #expect(throws: StoreError.unknownAgency("NOPE")) {
            try await store.issueCredential(for: .agency(code: "NOPE"), publicKey: psk, psk: psk, replacing: false, now: Date())
        }

        // An operator credential is a different kind of principal.
        let operatorKey = Data(repeating: 4, count: 32)
        _ = try await store.issueCredential(for: .operator(name: "Lò Thị Hoa"), publicKey: operatorKey, psk: psk, replacing: false, now: Date())
        #expect(try await store.authenticate(publicKey: operatorKey)?.principal == .operator(name: "Lò Thị Hoa"))
        await #expect(throws: StoreError.invalidOperatorName("")) {
            try await store.issueCredential(for: .operator(name: " "), publicKey: psk, psk: psk, replacing: false, now: Date())
        }

        // Rotation revokes the owner's earlier credentials only.
        let rotatedKey = Data(repeating: 5, count: 32)
        _ = try await store.issueCredential(for: .agency(code: "STNMT"), publicKey: rotatedKey, psk: psk, replacing: true, now: Date())
        #expect(try await store.authenticate(publicKey: key) == nil)
        #expect(try await store.authenticate(publicKey: rotatedKey) != nil)
        #expect(try await store.authenticate(publicKey: operatorKey) != nil)
        #expect(try await store.credentials(of: .agency(code: "STNMT")).map { $0.revokedAt == nil } == [false, true])
        #expect(try await store.revokeCredentials(of: .operator(name: "Lò Thị Hoa"), id: nil, now: Date()) == 1)
        #expect(try await store.authenticate(publicKey: operatorKey) == nil)
    }

    @Test func handshakeCountersOnlyMoveForward() async throws {
        let key = Data(repeating: 6, count: 32)
        let id = try await store.issueCredential(for: .agency(code: "STNMT"), publicKey: key, psk: key, replacing: false, now: Date()).id
        #expect(try await store.advanceHandshakeCounter(credentialID: id, to: 1_000) == nil)
        #expect(try await store.advanceHandshakeCounter(credentialID: id, to: 1_000) == 1_000)  // a replay
        #expect(try await store.advanceHandshakeCounter(credentialID: id, to: 999) == 1_000)  // behind
        #expect(try await store.advanceHandshakeCounter(credentialID: id, to: UInt64.max) == 1_000)  // not storable
        #expect(try await store.advanceHandshakeCounter(credentialID: id, to: 1_001) == nil)
    }

    /// PROTOCOL.md §12.4: a counter pushed to its maximum locks the credential out; rotation
    /// gives the owner a new credential whose counter starts again.
    @Test func rotationRecoversACredentialWhoseCounterReachedItsMaximum() async throws {
        let old = try await store.issueCredential(for: .agency(code: "STNMT"), publicKey: Data(repeating: 1, count: 32), psk: Data(count: 32), replacing: false, now: Date())
        #expect(try await store.advanceHandshakeCounter(credentialID: old.id, to: UInt64(Int64.max)) == nil)
        #expect(try await store.advanceHandshakeCounter(credentialID: old.id, to: UInt64(Int64.max)) == UInt64(Int64.max))
        let new = try await store.issueCredential(for: .agency(code: "STNMT"), publicKey: Data(repeating: 2, count: 32), psk: Data(count: 32), replacing: true, now: Date())
        #expect(try await store.advanceHandshakeCounter(credentialID: new.id, to: 1) == nil)
        #expect(try await store.authenticate(publicKey: Data(repeating: 1, count: 32)) == nil)
        #expect(try await store.revokedCredentialIDs() == [old.id])
    }

    @Test func theServerPublicKeyIsRegisteredOnceAndAnotherIsRefused() async throws {
        #expect(try await store.serverPublicKey() == nil)
        try await store.registerServerPublicKey(Data(repeating: 7, count: 32), now: Date())
        try await store.registerServerPublicKey(Data(repeating: 7, count: 32), now: Date())
        await #expect(throws: StoreError.serverKeyMismatch) {
            try await store.registerServerPublicKey(Data(repeating: 8, count: 32), now: Date())
        }
        #expect(try await store.serverPublicKey() == Data(repeating: 7, count: 32))
        #expect(try await store.legacyServerPrivateKey() == nil)
    }

    @Test func aLaterDecisionSupersedesFromItsStartWithoutRewritingHistory() async throws {
        // The sample 708 (until 31/12/2020) gives STNMT Keo Lôm, Phì Nhừ and Chiềng Sơ; a new
        // decision from 01/01/2020 keeps only Chiềng Sơ.
        let later = Decision(
            number: "9/QĐ-UBND", signedOn: CivilDate(year: 2019, month: 12, day: 1)!,
            period: DateRange(start: CivilDate(year: 2020, month: 1, day: 1)!, end: CivilDate(year: 2025, month: 12, day: 31)!),
            standingAgencyCode: "BDT")
        _ = try await store.importDecision(later, assignments: [
            Assignment(decisionNumber: later.number, agencyCode: "STNMT", communeCode: "03211", role: .lead),
        ])
        func visit(_ commune: String, _ start: String) -> Visit {
            let at = VietnameseFormat.parseDateTime(start)!
            return Visit(communeCode: commune, start: at, end: at.addingTimeInterval(86_400),
                         cadres: [Cadre(name: "Lò Văn Minh", position: "")]).normalized()
        }
        let outcomes = try await store.submitVisits(
            [visit("03376", "12/03/2019 08:00"), visit("03376", "12/03/2020 08:00"), visit("03211", "12/03/2020 08:00")],
            agencyCode: "STNMT", receivedAt: Date())
        #expect(outcomes == [.stored(revision: 1), .denied(.superseded), .stored(revision: 1)])
        // The 2019 visit under the earlier decision stays as it was.
        #expect(try await store.visits(VisitQuery(agencyCode: "STNMT")).visits.count == 2)
    }

    /// PROTOCOL.md §6.3: a visit stored while its assignment was in force is acknowledged again
    /// as ALREADY_STORED after a later decision superseded it (a resend after a lost answer).
    @Test func aResendAfterSupersessionIsAlreadyStored() async throws {
        let visit = Self.visit()  // 12/03/2019, Keo Lôm, under the sample 708
        #expect(try await store.submitVisits([visit], agencyCode: "STNMT", receivedAt: Date()) == [.stored(revision: 1)])
        let later = Decision(
            number: "10/QĐ-UBND", signedOn: CivilDate(year: 2018, month: 12, day: 1)!,
            period: DateRange(start: CivilDate(year: 2019, month: 1, day: 1)!, end: CivilDate(year: 2025, month: 12, day: 31)!),
            standingAgencyCode: "BDT")
        _ = try await store.importDecision(later, assignments: [
            Assignment(decisionNumber: later.number, agencyCode: "STNMT", communeCode: "03211", role: .lead),
        ])
        #expect(try await store.submitVisits([visit], agencyCode: "STNMT", receivedAt: Date()) == [.alreadyStored(revision: 1)])
        // A new visit on those days is refused: the check that let the first one in still holds.
        var other = visit
        other.id = UUID()
        #expect(try await store.submitVisits([other], agencyCode: "STNMT", receivedAt: Date()) == [.denied(.superseded)])
    }

    @Test func decisionImportIsIdempotentAndRefusesADifferentTable() async throws {
        let decision = Decision(
            number: "2072/QĐ-UBND", signedOn: CivilDate(year: 2021, month: 11, day: 17)!,
            period: DateRange(start: CivilDate(year: 2021, month: 11, day: 17)!, end: CivilDate(year: 2025, month: 12, day: 31)!),
            standingAgencyCode: "BDT")
        let table = [Assignment(decisionNumber: decision.number, agencyCode: "STNMT", communeCode: "03376", role: .lead)]
        #expect(try await store.importDecision(decision, assignments: table).created)
        let again = try await store.importDecision(decision, assignments: table)
        #expect(!again.created)
        let other = [Assignment(decisionNumber: decision.number, agencyCode: "SYT", communeCode: "03376", role: .lead)]
        await #expect(throws: StoreError.decisionConflict(decision.number)) { try await store.importDecision(decision, assignments: other) }
        #expect(try await store.assignments(agencyCode: "SYT", on: CivilDate(year: 2022, month: 1, day: 1)).isEmpty)
    }

    @Test func assignmentsFollowImportsHereAtOnceAndFromAnotherProcessWithinTheCacheLifetime() async throws {
        let path = directory.appendingPathComponent("cache.sqlite").path
        let server = try SQLiteStore(path: path, assignmentCacheLifetime: .milliseconds(300))
        _ = try await server.loadDefaultData()
        let sample = try await server.assignments(agencyCode: "stnmt", on: nil)
        #expect(sample.count == 3)
        func decision(_ number: String, from year: Int) -> Decision {
            Decision(
                number: number, signedOn: CivilDate(year: year, month: 1, day: 1)!,
                period: DateRange(start: CivilDate(year: year, month: 1, day: 1)!, end: CivilDate(year: year, month: 12, day: 31)!),
                standingAgencyCode: "BDT")
        }
        // Imported through the same store: seen by the very next call.
        let here = decision("1/QĐ-UBND", from: 2022)
        _ = try await server.importDecision(here, assignments: [Assignment(decisionNumber: here.number, agencyCode: "STNMT", communeCode: "03211", role: .lead)])
        #expect(try await server.assignments(agencyCode: "STNMT", on: nil).count == 4)
        // Imported by another process (another store on the same file): seen once the entry expires.
        let operatorStore = try SQLiteStore(path: path)
        let there = decision("2/QĐ-UBND", from: 2023)
        _ = try await operatorStore.importDecision(there, assignments: [Assignment(decisionNumber: there.number, agencyCode: "STNMT", communeCode: "03376", role: .supporting)])
        try await Task.sleep(for: .milliseconds(350))
        let all = try await server.assignments(agencyCode: "STNMT", on: nil)
        #expect(all.map(\.detail.assignment.decisionNumber) == ["708/QĐ-UBND", "708/QĐ-UBND", "708/QĐ-UBND", "1/QĐ-UBND", "2/QĐ-UBND"])
        // A day keeps the assignments whose period covers it, from the cached list as from SQL.
        let in2023 = try await server.assignments(agencyCode: "STNMT", on: CivilDate(year: 2023, month: 6, day: 1))
        #expect(in2023.map(\.detail.commune.code) == ["03376"])
        #expect(in2023.first?.detail.assignment.role == .supporting)
        #expect(try await server.assignments(agencyCode: "STNMT", on: CivilDate(year: 2019, month: 6, day: 1)).count == 3)
        #expect(try await server.assignments(agencyCode: "SYT", on: CivilDate(year: 2023, month: 6, day: 1)).isEmpty)
    }

    @Test func visitsPageInStartOrder() async throws {
        var visits: [Visit] = []
        for day in 0..<7 {
            var v = Self.visit()
            v.start = v.start.addingTimeInterval(Double(day) * 86_400 * 3)
            v.end = v.start.addingTimeInterval(3600 * 5)
            visits.append(v)
            // Day 3 has five visits starting in the same second: pages cross them in id order.
            for _ in 0..<(day == 3 ? 4 : 0) {
                var tie = Self.visit(results: "Cùng giờ")
                (tie.start, tie.end) = (v.start, v.end)
                visits.append(tie)
            }
        }
        _ = try await store.submitVisits(visits.shuffled(), agencyCode: "STNMT", receivedAt: Date())
        let expected = visits.sorted { ($0.start, $0.id.uuidString) < ($1.start, $1.id.uuidString) }.map(\.id)
        for agency in ["STNMT", nil] {
            var seen: [Visit] = []
            var cursor: VisitCursor? = nil
            repeat {
                let page = try await store.visits(VisitQuery(agencyCode: agency, limit: 3, after: cursor))
                seen += page.visits.map(\.visit)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen.map(\.id) == expected)
        }
    }
}
