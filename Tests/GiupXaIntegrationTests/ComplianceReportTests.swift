import Foundation
import Testing

/// The compliance report over a generated province (Tools/datagen), checked against an
/// independent calculation in Python (Tools/datagen/expected_report.py), locally and remotely.
@Suite(.serialized) struct ComplianceReportTests {
    /// A province at a tenth of full size: 82 agencies, 2 decisions, ~1,160 visits in 3 years.
    static func province(_ h: Harness) throws -> URL {
        let data = h.directory.appendingPathComponent("province")
        let generated = try Harness.run("/usr/bin/env", ["python3", Harness.repository.appendingPathComponent("Tools/datagen/generate.py").path,
                                                          "--out", data.path, "--scale", "0.1"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let loaded = try Harness.run("/usr/bin/env", ["bash", Harness.repository.appendingPathComponent("Tools/load-province.sh").path,
                                                       data.path, h.database, Harness.binDirectory.path])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        return data
    }

    static func expect(_ data: URL, _ selection: [String], matches report: URL) throws {
        let check = try Harness.run("/usr/bin/env", ["python3", Harness.repository.appendingPathComponent("Tools/datagen/expected_report.py").path,
                                                      data.path] + selection + ["--compare", report.path])
        #expect(check.status == 0, "\(selection): \(check.stderr)")
    }

    @Test(.timeLimit(.minutes(5)))
    func reportMatchesAnIndependentCalculationForEveryKindOfPeriod() throws {
        let h = try Harness()
        let data = try Self.province(h)
        for selection in [["--period", "2018"], ["--period", "2019-H1"], ["--period", "2019-H2"], ["--period", "2020"],
                          ["--from", "01/11/2019", "--to", "29/02/2020"]] {
            let out = h.directory.appendingPathComponent("report.json")
            let result = try Harness.run("giupxa-server", ["report"] + selection + ["--format", "json", "--out", out.path, "--db", h.database])
            #expect(result.status == 0, "\(result.stderr)")
            try Self.expect(data, selection, matches: out)
        }
        // A stricter policy changes the flags, and both sides agree on it too.
        let policy = try h.write("policy.json", #"{"token_visit": {"min_hours_on_site": 48}, "silent_days": 30}"#)
        let out = h.directory.appendingPathComponent("strict.json")
        #expect(try h.server("report", "--period", "2019", "--policy", policy, "--format", "json", "--out", out.path).status == 0)
        try Self.expect(data, ["--period", "2019", "--policy", policy], matches: out)
        // A typo in the policy is refused with the key's name.
        let typo = try h.write("typo.json", #"{"silent_day": 30}"#)
        let refused = try h.server("report", "--period", "2019", "--policy", typo, "--lang", "en")
        #expect(refused.status != 0 && refused.stderr.contains("silent_day"), "\(refused.stderr)")
    }

    @Test(.timeLimit(.minutes(5)))
    func operatorsAndAgenciesGetTheReportOverTheProtocol() throws {
        let h = try Harness()
        let data = try Self.province(h)
        let running = try Harness.ServerProcess(database: h.database, directory: h.directory)
        defer { running.stop() }

        // An operator: the whole province, in every format.
        let issued = try h.server("credential", "issue", "--operator", "Lò Thị Hoa", "--format", "json")
        let secret = try #require((try issued.json() as? [String: Any])?["secret"] as? String)
        #expect(try h.client("operator", "config", "set", "--server", running.address, "--secret", secret).status == 0)
        let json = h.directory.appendingPathComponent("remote.json")
        let remote = try h.client("operator", "report", "--period", "2019", "--format", "json", "--out", json.path)
        #expect(remote.status == 0, "\(remote.stderr)")
        try Self.expect(data, ["--period", "2019"], matches: json)

        let csv = h.directory.appendingPathComponent("report.csv")
        #expect(try h.client("operator", "report", "--period", "2019", "--format", "csv", "--out", csv.path).status == 0)
        let csvBytes = try Data(contentsOf: csv)
        #expect(Array(csvBytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "Excel needs the BOM to show diacritics")
        #expect(String(decoding: csvBytes, as: UTF8.self).contains("\"Sở Tài nguyên và Môi trường\""))

        let html = h.directory.appendingPathComponent("report.html")
        #expect(try h.client("operator", "report", "--period", "2019", "--format", "html", "--out", html.path).status == 0)
        let page = try String(contentsOf: html, encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("Sở Tài nguyên và Môi trường"))

        let text = try h.client("operator", "report", "--period", "2019-H1")
        #expect(text.status == 0 && text.stdout.contains("15/12/2018 – 14/06/2019"), "\(text.stdout)")

        // An agency: its own report only.
        let agency = try h.issueCredential("STNMT")
        #expect(try h.client("stnmt", "config", "set", "--server", running.address, "--agency", "STNMT", "--secret", agency).status == 0)
        let own = h.directory.appendingPathComponent("own.json")
        #expect(try h.client("stnmt", "report", "--period", "2019", "--format", "json", "--out", own.path).status == 0)
        let ownReport = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: own)) as? [String: Any])
        #expect((ownReport["agencies"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["STNMT"])
        let other = try h.client("stnmt", "report", "--period", "2019", "--agency", "SYT", "--lang", "en")
        #expect(other.status != 0 && other.stderr.contains("PERMISSION_DENIED"), "\(other.stderr)")
    }
}
