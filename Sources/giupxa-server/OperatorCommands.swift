import ArgumentParser
import Foundation
import GiupXaCLISupport
import GiupXaModels
import GiupXaStorage

struct AgencyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agency", abstract: "Add, import or list agencies.", subcommands: [Add.self, Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register agencies from a CSV (code, name, kind; English or Vietnamese headers). All or nothing; agencies already registered with the same name are skipped.")
        @OptionGroup var options: ServerOptions
        @Argument(help: "CSV file, UTF-8 with or without BOM.") var file: String

        func run() async throws {
            do {
                let table = try CSVTable(parsing: String(decoding: Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self))
                guard let codeColumn = table.column("agency_code", "code", "mã cơ quan", "mã"),
                      let nameColumn = table.column("agency_name", "name", "tên cơ quan", "tên", "cơ quan")
                else {
                    throw GiupXaModels.ValidationError([FieldIssue(field: "csv.header", reason: .required, value: "agency_code, agency_name")])
                }
                let kindColumn = table.column("agency_kind", "kind", "loại")
                let store = try options.openStore()
                let existing = Dictionary(try await store.agencies().map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
                var issues: [FieldIssue] = []
                var new: [Agency] = []
                for (index, row) in table.rows.enumerated() {
                    func cell(_ column: Int?) -> String { column.flatMap { $0 < row.count ? row[$0] : nil } ?? "" }
                    let agency = Agency(code: cell(codeColumn), name: cell(nameColumn), kind: cell(kindColumn).isEmpty ? "so" : cell(kindColumn))
                    let line = "row \(index + 2)"
                    if !Agency.isValidCode(agency.code) { issues.append(FieldIssue(field: "\(line).code", reason: .invalidFormat, value: agency.code)); continue }
                    if let issue = agency.nameIssue(field: "\(line).name") { issues.append(issue); continue }
                    if let issue = agency.kindIssue(field: "\(line).kind") { issues.append(issue); continue }
                    if let known = existing[agency.code] {
                        if known.name != agency.name { issues.append(FieldIssue(field: "\(line).code", reason: .duplicate, value: "\(agency.code) = \(known.name)")) }
                        continue
                    }
                    if new.contains(where: { $0.code == agency.code }) { issues.append(FieldIssue(field: "\(line).code", reason: .duplicate, value: agency.code)); continue }
                    new.append(agency)
                }
                if !issues.isEmpty { throw GiupXaModels.ValidationError(issues) }
                try await store.addAgencies(new)
                struct View: Encodable { var added: Int; var alreadyRegistered: Int }
                let view = View(added: new.count, alreadyRegistered: table.rows.count - new.count)
                options.emit(view) {
                    options.pick(vi: "Đã thêm \(view.added) cơ quan; \(view.alreadyRegistered) cơ quan đã có từ trước",
                                 en: "Added \(view.added) agencies; \(view.alreadyRegistered) were already registered")
                }
            } catch {
                throw options.fail(error)
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register an agency.")
        @OptionGroup var options: ServerOptions
        @Option(help: "Short code, 2–16 of A–Z, 0–9, _ (e.g. SYT).") var code: String
        @Option(help: "Full name, e.g. \"Sở Y tế\".") var name: String
        @Option(help: "Kind: \(Agency.kinds.joined(separator: ", ")).") var kind = "so"

        func run() async throws {
            do {
                let agency = Agency(code: code, name: name, kind: kind)
                var issues: [FieldIssue] = []
                if !Agency.isValidCode(agency.code) { issues.append(FieldIssue(field: "code", reason: .invalidFormat, value: code)) }
                if let issue = agency.nameIssue(field: "name") { issues.append(issue) }
                if let issue = agency.kindIssue(field: "kind") { issues.append(issue) }
                let store = try options.openStore()
                if try await store.agency(code: agency.code) != nil { throw StoreError.agencyExists(agency.code) }
                // Two agencies of one name would make names in CSV files and reports ambiguous.
                if let twin = try await store.agencies().first(where: { $0.searchKey == agency.searchKey && $0.code != agency.code }) {
                    issues.append(FieldIssue(field: "name", reason: .duplicate, value: twin.code, detail: .init(
                        vi: "cơ quan \(twin.code) đã có tên này (\(twin.name)); hai cơ quan cùng tên sẽ làm tệp CSV và báo cáo không rõ ràng",
                        en: "agency \(twin.code) already has this name (\(twin.name)); two agencies of one name would make CSV files and reports ambiguous")))
                }
                if !issues.isEmpty { throw GiupXaModels.ValidationError(issues) }
                try await store.addAgency(agency)
                options.emit(agency) {
                    let name = TerminalText.line(agency.name)
                    return options.pick(vi: "Đã thêm cơ quan \(agency.code) — \(name)", en: "Added agency \(agency.code) — \(name)")
                }
            } catch {
                throw options.fail(error)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List agencies.")
        @OptionGroup var options: ServerOptions

        func run() async throws {
            do {
                let agencies = try await options.openStore().agencies()
                // Stored names are data: escaped, so an old row cannot fake lines (TerminalText).
                options.emit(agencies) {
                    agencies.map { "\(TerminalText.line($0.code).padding(toLength: 10, withPad: " ", startingAt: 0)) \(TerminalText.line($0.name))" }
                        .joined(separator: "\n")
                }
            } catch {
                throw options.fail(error)
            }
        }
    }
}

struct DecisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decision", abstract: "Import or list assignment decisions.", subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a decision and its assignment table (CSV: agency, commune, optional district and role).",
            discussion: """
                CSV headers may be English (agency_code, commune_code, district, role) or Vietnamese \
                (Mã cơ quan / Cơ quan, Mã xã / Xã, Huyện, Vai trò). Agencies and communes by code or name. \
                All or nothing: one bad row and nothing is stored. Importing the same table again changes nothing.
                """)
        @OptionGroup var options: ServerOptions
        @Option(help: "Decision number, e.g. 708/QĐ-UBND.") var number: String
        @Option(help: "Date signed, dd/mm/yyyy.") var signedOn: String
        @Option(help: "First day of the period, dd/mm/yyyy (default: the signing date).") var from: String?
        @Option(help: "Last day of the period, dd/mm/yyyy.") var to: String
        @Option(help: "Standing agency code (receives the reports).") var standingAgency = "BDT"
        @Option(help: "The CSV file.") var csv: String

        func run() async throws {
            do {
                var issues: [FieldIssue] = []
                let signed = CivilDate(parsing: signedOn)
                if signed == nil { issues.append(FieldIssue(field: "signed-on", reason: .invalidFormat, value: signedOn)) }
                let start = from.map { CivilDate(parsing: $0) } ?? signed
                if start == nil { issues.append(FieldIssue(field: "from", reason: .invalidFormat, value: from)) }
                let end = CivilDate(parsing: to)
                if end == nil { issues.append(FieldIssue(field: "to", reason: .invalidFormat, value: to)) }
                if let start, let end, end < start { issues.append(FieldIssue(field: "to", reason: .endBeforeStart)) }
                if let issue = Decision.numberIssue(number, field: "number") { issues.append(issue) }
                if !issues.isEmpty { throw GiupXaModels.ValidationError(issues) }
                let store = try options.openStore()
                let data = try Data(contentsOf: URL(fileURLWithPath: csv))
                guard let text = String(data: data, encoding: .utf8) else {
                    throw GiupXaModels.ValidationError([FieldIssue(field: "csv", reason: .invalidFormat, value: "not UTF-8")])
                }
                let decision = Decision(
                    number: number, signedOn: signed!, period: DateRange(start: start!, end: end!), standingAgencyCode: standingAgency)
                let assignments = try AssignmentTable.parse(
                    csv: text, decisionNumber: decision.number, agencies: try await store.agencies(), communes: try await store.communes())
                let summary = try await store.importDecision(decision, assignments: assignments)
                options.emit(summary) {
                    let number = TerminalText.line(summary.decisionNumber)
                    return summary.created
                        ? options.pick(vi: "Đã nhập quyết định \(number): \(summary.assignments) phân công",
                                       en: "Imported decision \(number): \(summary.assignments) assignments")
                        : options.pick(vi: "Quyết định \(number) đã có, không thay đổi gì",
                                       en: "Decision \(number) was already imported; nothing changed")
                }
            } catch {
                throw options.fail(error)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List decisions.")
        @OptionGroup var options: ServerOptions

        func run() async throws {
            do {
                let decisions = try await options.openStore().decisions()
                options.emit(decisions) {
                    decisions.map {
                        "\(TerminalText.line($0.number))  \($0.signedOn.officialStyle)  \($0.period.start)–\($0.period.end)"
                            + ($0.isSample ? options.pick(vi: "  [dữ liệu mẫu]", en: "  [sample data]") : "")
                    }.joined(separator: "\n")
                }
            } catch {
                throw options.fail(error)
            }
        }
    }
}

struct VisitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "visits", abstract: "List stored visits (all agencies, or one).")

    @OptionGroup var options: ServerOptions
    @Option(help: "Only this agency.") var agency: String?
    @Option(help: "At most this many.") var limit = 1000

    func run() async throws {
        do {
            let store = try options.openStore()
            let page = try await store.visits(VisitQuery(agencyCode: try await options.knownAgency(agency, in: store), limit: limit))
            options.emit(page.visits) {
                var lines = [options.pick(vi: "\(page.visits.count) chuyến công tác", en: "\(page.visits.count) visit(s)")]
                for stored in page.visits {
                    let v = stored.visit
                    let cadres = v.cadres.map { TerminalText.line($0.name) }.joined(separator: ", ")
                    lines.append("  \(v.id.uuidString.prefix(8))  \(VietnameseFormat.dateTime(v.start))  \(TerminalText.line(v.agencyCode))  \(TerminalText.line(v.communeCode))  r\(stored.revision)  \(cadres)  \(VietnameseFormat.vnd(v.supportTotalVND, language: options.language))")
                }
                return lines.joined(separator: "\n")
            }
        } catch {
            throw options.fail(error)
        }
    }
}

struct HistoryCommand: AsyncParsableCommand {
    /// The fields `to` changed from `from`, named for the operator.
    static func changes(from: Visit, to: Visit, language: Language) -> [String] {
        let fields: [(Bool, String, String)] = [
            (from.communeCode != to.communeCode, "xã", "commune"),
            (from.start != to.start, "thời gian bắt đầu", "start"),
            (from.end != to.end, "thời gian kết thúc", "end"),
            (from.cadres != to.cadres, "cán bộ", "cadres"),
            (from.plan != to.plan, "kế hoạch", "plan"),
            (from.activities != to.activities, "hoạt động", "activities"),
            (from.support != to.support, "hỗ trợ", "support"),
            (from.results != to.results, "kết quả", "results"),
            (from.communeRequests != to.communeRequests, "đề nghị của xã", "commune requests"),
        ]
        return fields.filter(\.0).map { language.pick(vi: $0.1, en: $0.2) }
    }

    /// The visit `text` names: a full id, or a prefix of exactly one stored visit's (`VisitReference`).
    static func visitID(_ text: String, in store: any GiupXaStore) async throws -> UUID {
        switch try VisitReference.parse(text) {
        case .full(let id): return id
        case .prefix(let wanted): return try VisitReference.pick(text, among: try await store.visitIDs(prefix: wanted, limit: 6))
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every revision of a visit: who sent it, when, and what it said.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "The visit id: in full, or its first characters (at least 4).") var id: String

    func run() async throws {
        do {
            let store = try options.openStore()
            let uuid = try await Self.visitID(id, in: store)
            let revisions = try await store.revisions(visitID: uuid)
            guard !revisions.isEmpty else {
                throw GiupXaModels.ValidationError([FieldIssue(field: "id", reason: .notFound, value: id)])
            }
            options.emit(revisions) {
                // One line per revision, its results indented under it: no line of the results
                // can start where a revision starts, and controls in them are escaped.
                zip(revisions, [nil] + revisions.map(\.visit)).map { r, previous in
                    let v = r.visit
                    let source = r.source?.label(options.language) ?? options.pick(vi: "(nguồn không ghi nhận)", en: "(source not recorded)")
                    var head = "r\(r.revision)  \(VietnameseFormat.dateTime(r.receivedAt))  \(TerminalText.line(r.submittedBy))  [\(TerminalText.line(source))]  "
                        + "\(TerminalText.line(v.communeCode))  \(VietnameseFormat.dateTime(v.start)) → \(VietnameseFormat.dateTime(v.end))"
                    // What this revision changed, so a correction can be judged without reading both in full.
                    if let previous {
                        let changed = Self.changes(from: previous, to: v, language: options.language)
                        head += "\n    " + options.pick(vi: "đã sửa: ", en: "changed: ")
                            + (changed.isEmpty ? options.pick(vi: "(không có gì)", en: "(nothing)") : changed.joined(separator: ", "))
                    }
                    return v.results.isEmpty ? head : head + "\n" + TerminalText.block(v.results)
                }.joined(separator: "\n")
            }
        } catch {
            throw options.fail(error)
        }
    }
}
