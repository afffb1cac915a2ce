import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import Testing

/// Issue 15, finding 5: `giupxa-server import-bundle` stores a bundle only if a live
/// credential of the agency it names signed it (PROTOCOL.md §15); the real executables.
@Suite struct SignedBundleTests {
    static func visits(_ count: Int) -> [Giupxa_V1_Visit] {
        (0..<count).map { day in
            let start = VietnameseFormat.parseDateTime("12/03/2019 08:00")!.addingTimeInterval(Double(day) * 86_400)
            return Giupxa_V1_Visit(Visit(
                id: UUID(uuidString: "0195B5A0-8C00-7000-8000-0000000000\(10 + day)")!,
                communeCode: "03376", start: start, end: start.addingTimeInterval(6 * 3600),
                cadres: [Cadre(name: "Lò Văn Minh", position: "Phó Giám đốc Sở")],
                plan: VisitPlan(hasWrittenPlan: true, summary: "Rà soát hộ nghèo"),
                activities: [Activity(category: .socioEconomicReview, description: "Rà soát 45 hộ")],
                results: "Hoàn thành kế hoạch, đợt \(day)").normalized())
        }
    }

    /// A running server with STNMT's device holding the 20 fixture visits, exported to a bundle.
    func exported(_ h: Harness) throws -> (server: Harness.ServerProcess, bundle: String) {
        let server = try h.startWithAgency()
        #expect(try h.client("device", "visit", "add", "--file", Harness.fixture("visits-20.json")).status == 0)
        let bundle = h.directory.appendingPathComponent("stnmt.gxb").path
        let result = try h.client("device", "outbox", "export", bundle)
        #expect(result.status == 0, "\(result.stderr)")
        return (server, bundle)
    }

    func write(_ bytes: [UInt8], _ name: String, _ h: Harness) throws -> String {
        let path = h.directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    func expectRefused(_ h: Harness, _ file: String, _ reason: String, lang: String = "en", _ extra: [String] = []) throws {
        let result = try h.server(["import-bundle", file, "--lang", lang] + extra)
        #expect(result.status != 0)
        #expect(result.stderr.contains(reason), "\(result.stderr)")
        #expect(result.stderr.contains(lang == "en" ? "nothing stored" : "không lưu gì"), "\(result.stderr)")
        #expect(try h.serverIDs().isEmpty)
    }

    @Test func theExportedBundleIsReadableByItsOwnerOnlyWhateverTheUmask() throws {
        let h = try Harness()
        let server = try h.startWithAgency()
        defer { server.stop() }
        #expect(try h.client("device", "visit", "add", "--file", Harness.fixture("visit-1.json")).status == 0)
        let bundle = h.directory.appendingPathComponent("open.gxb").path
        // An existing world-readable file is replaced, not rewritten in place.
        #expect(FileManager.default.createFile(atPath: bundle, contents: Data("old".utf8), attributes: [.posixPermissions: 0o666]))
        let giupxa = Harness.binDirectory.appendingPathComponent("giupxa").path
        let result = try Harness.run(
            "/bin/sh", ["-c", "umask 000 && exec \"$0\" \"$@\"", giupxa, "outbox", "export", bundle],
            environment: ["GIUPXA_HOME": h.directory.appendingPathComponent("device").path])
        #expect(result.status == 0, "\(result.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: bundle)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(Array(try bytes(bundle).prefix(4)) == Array("GXB2".utf8))
        // No temporary file is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.directory.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func aGenuineBundleImportsOnceRecordsItsSignerAndALaterSyncIsAlreadyStored() throws {
        let h = try Harness()
        let (server, bundle) = try exported(h)
        defer { server.stop() }
        let first = try h.server("import-bundle", bundle, "--format", "json")
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try #require(try first.json() as? [String: Any])
        #expect(summary["stored"] as? Int == 20)
        #expect((summary["source"] as? String)?.hasPrefix("bundle:") == true)
        let second = try h.server("import-bundle", bundle, "--format", "json")
        #expect((try second.json() as? [String: Any])?["alreadyStored"] as? Int == 20)

        let id = try #require(try h.serverIDs().first)
        let history = try #require(try h.server("history", id, "--format", "json").json() as? [[String: Any]])
        #expect(history.map { $0["source"] as? String } == [summary["source"] as? String])
        let text = try h.server("history", id, "--lang", "en")
        #expect(text.stdout.contains("bundle signed by credential #1"), "\(text.stdout)")

        let sync = try h.client("device", "sync", "--format", "json")
        let synced = try #require(try sync.json() as? [String: Any])
        #expect(synced["sent"] as? Int == 0)
        #expect(synced["alreadyOnServer"] as? Int == 20)
        #expect(synced["conflicts"] as? Int ?? 0 == 0)
        #expect(try h.serverIDs().count == 20)
    }

    @Test func bundlesWrittenFromScratchAreRefused() throws {
        let h = try Harness()
        let server = try h.startWithAgency()
        defer { server.stop() }
        // Format 1 needs no credential at all: refused unless an operator vouches for it.
        let unsigned = try write(VisitBundle.encodeUnsigned(agencyCode: "STNMT", visits: Self.visits(3), clientName: "forger"), "v1.gxb", h)
        try expectRefused(h, unsigned, "has no signature")
        try expectRefused(h, unsigned, "không có chữ ký", lang: "vi")
        // Format 2 signed with a credential this server never issued.
        let made = SecureCredential.generate(serverPublicKey: Data(repeating: 7, count: 32))
        let forged = try write(
            VisitBundle.encode(agencyCode: "STNMT", visits: Self.visits(3), clientName: "forger", credential: made), "forged.gxb", h)
        try expectRefused(h, forged, "never issued")
    }

    @Test func aBundleChangedInTransitIsRefusedWhetherOrNotItIsRehashed() throws {
        let h = try Harness()
        let (server, bundle) = try exported(h)
        defer { server.stop() }
        let genuine = try bytes(bundle)
        // One byte of the payload (a visit), signature left as it was.
        var altered = genuine
        altered[altered.count - 64 - 3] ^= 0x01
        try expectRefused(h, try write(altered, "altered.gxb", h), "invalid signature")
        try expectRefused(h, try write(altered, "altered.gxb", h), "chữ ký không hợp lệ", lang: "vi")
        // Its visits edited and the file rebuilt with a fresh SHA-256, as format 1.
        let (header, request) = try VisitBundle.decodeWithoutVerifying(genuine)
        var visits = request.visits
        visits[0].results = "Đã sửa trên đường"
        let rehashed = VisitBundle.encodeUnsigned(agencyCode: header.agencyCode, visits: visits, clientName: header.clientName)
        try expectRefused(h, try write(rehashed, "rehashed.gxb", h), "has no signature")
        // The genuine bundle is untouched by all this.
        #expect(try h.server("import-bundle", bundle).status == 0)
        #expect(try h.serverIDs().count == 20)
    }

    @Test func aBundleSignedByAnotherAgencysCredentialIsRefused() throws {
        let h = try Harness()
        let server = try h.startWithAgency()
        defer { server.stop() }
        // SYT's credential on a device configured to write STNMT's bundles.
        let syt = try h.issueCredential("SYT")
        #expect(try h.client("other", "config", "set", "--server", server.address, "--agency", "STNMT", "--secret", syt).status == 0)
        #expect(try h.client("other", "visit", "add", "--file", Harness.fixture("visit-1.json")).status == 0)
        let bundle = h.directory.appendingPathComponent("syt.gxb").path
        #expect(try h.client("other", "outbox", "export", bundle).status == 0)
        try expectRefused(h, bundle, "names agency STNMT but is signed with credential #2 of SYT")
    }

    @Test func aBundleOfARevokedCredentialIsRefusedAndTheNewCredentialsBundleImports() throws {
        let h = try Harness()
        let (server, bundle) = try exported(h)
        defer { server.stop() }
        let rotated = try h.server("credential", "rotate", "--agency", "STNMT", "--format", "json")
        #expect(rotated.status == 0, "\(rotated.stderr)")
        try expectRefused(h, bundle, "credential #1 was revoked")
        let secret = try #require((try rotated.json() as? [String: Any])?["secret"] as? String)
        #expect(try h.client("device", "config", "set", "--secret", secret).status == 0)
        #expect(try h.client("device", "outbox", "export", bundle).status == 0)
        let imported = try h.server("import-bundle", bundle, "--format", "json")
        #expect((try imported.json() as? [String: Any])?["stored"] as? Int == 20, "\(imported.stderr)")
    }

    @Test func aFormatOneBundleIsImportedOnlyWithTheOperatorsWordAndTheHistorySaysSo() throws {
        let h = try Harness()
        let server = try h.startWithAgency()
        defer { server.stop() }
        let visits = Self.visits(2)
        let file = try write(VisitBundle.encodeUnsigned(agencyCode: "STNMT", visits: visits, clientName: "giupxa/0.1"), "old.gxb", h)
        try expectRefused(h, file, "--accept-unsigned")
        let note = "USB xã Keo Lôm, nhận tay từ cán bộ — Lò Thị Hoa"
        let imported = try h.server("import-bundle", file, "--accept-unsigned", note, "--format", "json")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect((try imported.json() as? [String: Any])?["stored"] as? Int == 2)
        let id = "0195B5A0-8C00-7000-8000-000000000010"
        let history = try #require(try h.server("history", id, "--format", "json").json() as? [[String: Any]])
        #expect(history.map { $0["source"] as? String } == ["unsigned-bundle:" + note])
        let text = try h.server("history", id, "--lang", "vi")
        #expect(text.stdout.contains("tệp không chữ ký"), "\(text.stdout)")
        // Twice: stored once.
        let again = try h.server("import-bundle", file, "--accept-unsigned", note, "--format", "json")
        #expect((try again.json() as? [String: Any])?["alreadyStored"] as? Int == 2)
        #expect(try h.serverIDs().count == 2)
    }
}

extension Harness {
    @discardableResult
    func server(_ arguments: [String]) throws -> Result {
        try Self.run("giupxa-server", arguments + ["--db", database])
    }
}
