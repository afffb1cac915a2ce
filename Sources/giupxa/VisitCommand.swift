public import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaCLISupport
import GiupXaModels

struct VisitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visit", abstract: "Record visits in the outbox, or list them.",
        subcommands: [Add.self, Amend.self, List.self, Discard.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a visit (offline is fine): from flags, or from a JSON file of one visit or an array.",
            discussion: VisitFields.discussion)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var fields: VisitFields
        @Option(help: "Visit id (UUID); generated when omitted.") var id: String?
        @Flag(help: "Record it even if a visit of the same commune, overlapping times and a cadre in common is already recorded.")
        var allowDuplicate = false

        func run() async throws {
            try await global.run { home, config, output in
                let outbox = try home.openOutbox()
                let inputs = try fields.inputs(id: id, language: output.language)
                let communes = try VisitCommand.assignedCommunes(outbox)
                // Validate everything first: a file is recorded whole or not at all.
                var visits: [Visit] = []
                var issues: [FieldIssue] = []
                let cache = try outbox.cachedAssignments()
                let admission = OfflineAdmission(assignments: cache.assignments, fetchedAt: cache.fetchedAt)
                var unchecked = false
                for (index, input) in inputs.enumerated() {
                    let prefix = inputs.count > 1 ? "[\(index)]." : ""
                    func prefixed(_ issue: FieldIssue) -> FieldIssue {
                        var prefixed = issue
                        prefixed.field = prefix + issue.field
                        return prefixed
                    }
                    do {
                        let visit = try input.resolve(communes: communes)
                        switch admission.check(visit) {
                        case .admitted: visits.append(visit)
                        case .unchecked: visits.append(visit); unchecked = true
                        case .refused(let issue): issues.append(prefixed(issue))
                        }
                    } catch let error as GiupXaModels.ValidationError {
                        issues += error.issues.map(prefixed)
                    }
                }
                if issues.isEmpty && !allowDuplicate {
                    // A visit the server rejected is no record of the visit: recording it again is the fix.
                    issues += DuplicateVisits.issues(in: visits, recorded: try outbox.entries().filter { $0.state != .rejected }.map(\.visit))
                }
                if unchecked && issues.isEmpty {
                    CLIText.writeError(output.pick(
                        vi: "Lưu ý: máy chưa có danh sách xã được phân công, nên chưa kiểm tra được xã có được phân công cho cơ quan không. Khi có mạng, chạy `giupxa assignments --refresh`.",
                        en: "Note: no assignments are cached on this device, so whether the commune is assigned to your agency is not checked yet. When online, run `giupxa assignments --refresh`."))
                }
                if !issues.isEmpty { throw GiupXaModels.ValidationError(issues) }
                // One transaction: all of them or none. Visits already there, identical, are skipped.
                let skipped = Set(try outbox.add(visits))
                let recorded = visits.filter { !skipped.contains($0.id) }
                struct Added: Encodable { var recorded: [UUID]; var skipped: [UUID] }
                output.emit(Added(recorded: recorded.map(\.id), skipped: visits.map(\.id).filter(skipped.contains))) {
                    // What was understood, so a misread date or number shows before it is sent.
                    let lines = recorded.map { visit in
                        "  \(visit.id.uuidString)  \(visit.communeCode)  \(VietnameseFormat.dateTime(visit.start)) → \(VietnameseFormat.dateTime(visit.end))"
                            + visit.support.map { item in
                                "\n      " + output.pick(vi: "hỗ trợ: ", en: "support: ")
                                    + TerminalText.line("\(item.description) \(VietnameseFormat.quantity(item.quantity)) \(item.unit)")
                                    + " — \(VietnameseFormat.vnd(item.valueVND, language: output.language))"
                            }.joined()
                    }
                    var text = output.pick(
                        vi: "Đã ghi \(recorded.count) chuyến công tác vào hộp thư đi (chờ gửi):",
                        en: "Recorded \(recorded.count) visit(s) in the outbox (pending):") + "\n" + lines.joined(separator: "\n")
                    if !skipped.isEmpty {
                        text += "\n" + output.pick(
                            vi: "Bỏ qua \(skipped.count) chuyến công tác đã có trong hộp thư đi với cùng mã và cùng nội dung.",
                            en: "Skipped \(skipped.count) visit(s) already in the outbox with the same id and content.")
                    }
                    return text
                }
            }
        }
    }

    struct Amend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct a recorded visit: give its full corrected content (flags or a JSON file of one visit).",
            discussion: """
                A visit not yet sent is replaced. A visit already on the server gets a correction that \
                the next sync sends as a new revision; the server keeps every revision, and refuses the \
                correction (a conflict) if the visit was corrected elsewhere in the meantime.

                """ + VisitFields.discussion)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id of the visit to correct: in full, or its first characters as listings show them.") var id: String
        @OptionGroup var fields: VisitFields

        func run() async throws {
            try await global.run { home, config, output in
                let outbox = try home.openOutbox()
                let id = try outbox.visitID(self.id).uuidString
                let inputs = try fields.inputs(id: id, language: output.language)
                guard inputs.count == 1 else {
                    throw GiupXaModels.ValidationError([FieldIssue(field: "file", reason: .tooMany, limit: 1)])
                }
                var input = inputs[0]
                input.id = id
                let visit = try input.resolve(communes: try VisitCommand.assignedCommunes(outbox))
                let result = try outbox.amend(visit)
                struct Amended: Encodable { var id: UUID; var result: Outbox.AmendResult }
                output.emit(Amended(id: visit.id, result: result)) {
                    switch result {
                    case .replacedPending:
                        output.pick(vi: "Đã sửa chuyến công tác \(visit.id.uuidString) (chưa gửi)", en: "Corrected visit \(visit.id.uuidString) (not sent yet)")
                    case .amendmentPending:
                        output.pick(
                            vi: "Đã ghi bản sửa của \(visit.id.uuidString); lần đồng bộ tới sẽ gửi nó",
                            en: "Correction of \(visit.id.uuidString) recorded; the next sync sends it")
                    }
                }
            }
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a visit recorded by mistake, before it is sent (a sent visit is corrected with `amend`).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Id of the visit: in full, or its first characters as listings show them.") var id: String
        @Flag(help: "Do not ask for confirmation.") var yes = false

        func run() async throws {
            try await global.run { home, config, output in
                let outbox = try home.openOutbox()
                let id = try outbox.visitID(self.id)
                guard let entry = try outbox.entries().first(where: { $0.visit.id == id }) else {
                    throw GiupXaModels.ValidationError([FieldIssue(field: "id", reason: .notFound, value: self.id)])
                }
                guard entry.state == .pending else {
                    throw CLIError(message: output.pick(
                        vi: "Chuyến công tác \(VisitRow.shortID(id)) đã gửi lên máy chủ nên không xoá được; hãy sửa nó bằng `giupxa visit amend`",
                        en: "Visit \(VisitRow.shortID(id)) was sent to the server, so it cannot be removed; correct it with `giupxa visit amend`"))
                }
                if !yes {
                    guard isTerminal(STDIN_FILENO) else {
                        throw CLIError(message: output.pick(vi: "Thêm --yes để xoá mà không hỏi lại", en: "Add --yes to remove it without being asked"))
                    }
                    CLIText.writeError(VisitRow.line(entry.visit, status: output.pick(vi: "chờ gửi", en: "pending"), output: output))
                    CLIText.writeError(output.pick(vi: "Xoá chuyến công tác này khỏi hộp thư đi? Gõ c để xoá: ", en: "Remove this visit from the outbox? Type y to remove it: "), newline: false)
                    let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
                    guard answer == "c" || answer == "có" || answer == "y" || answer == "yes" else {
                        throw CLIError(message: output.pick(vi: "Không xoá gì", en: "Nothing removed"))
                    }
                }
                guard try outbox.discard(id) else {
                    throw CLIError(message: output.pick(vi: "Chuyến công tác vừa được gửi; không xoá", en: "The visit was just sent; nothing removed"))
                }
                struct Discarded: Encodable { var discarded: UUID }
                output.emit(Discarded(discarded: id)) {
                    output.pick(vi: "Đã xoá chuyến công tác \(VisitRow.shortID(id)) khỏi hộp thư đi.", en: "Removed visit \(VisitRow.shortID(id)) from the outbox.")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List visits in the outbox, or on the server with --server.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this state: pending, sent, conflict, rejected.") var state: Outbox.State?
        @Flag(name: .customLong("server"), help: "List what the server holds for this agency.") var fromServer = false

        func run() async throws {
            try await global.run { home, config, output in
                if fromServer {
                    let client = try AgencyClient(configuration: config, language: output.language, counters: try home.openOutbox())
                    let visits = try await client.serverVisits()
                    output.emit(visits) {
                        var lines = [output.pick(vi: "Máy chủ đang lưu \(visits.count) chuyến công tác:", en: "The server holds \(visits.count) visit(s):")]
                        lines += visits.map { VisitRow.line($0.visit, status: "r\($0.revision)", output: output) }
                        return lines.joined(separator: "\n")
                    }
                } else {
                    let outbox = try home.openOutbox()
                    DamagedRows.warn(outbox, output: output)
                    let entries = try outbox.entries(state: state)
                    output.emit(entries) {
                        var lines = [output.pick(vi: "Hộp thư đi: \(entries.count) chuyến công tác", en: "Outbox: \(entries.count) visit(s)")]
                        for entry in entries {
                            lines.append(VisitRow.line(entry.visit, status: StateText.name(entry.state, output), output: output))
                            if let message = entry.message { lines.append("      ↳ \(TerminalText.line(message))") }
                        }
                        return lines.joined(separator: "\n")
                    }
                }
            }
        }
    }
}

extension Outbox.State: ExpressibleByArgument {}

enum StateText {
    static func name(_ state: Outbox.State, _ output: Output) -> String {
        switch state {
        case .pending: output.pick(vi: "chờ gửi", en: "pending")
        case .sent: output.pick(vi: "đã gửi", en: "sent")
        case .conflict: output.pick(vi: "xung đột", en: "conflict")
        case .rejected: output.pick(vi: "bị từ chối", en: "rejected")
        }
    }
}

enum VisitRow {
    /// The first 8 characters of an id, which `amend` and `discard` accept.
    static func shortID(_ id: UUID) -> String { String(id.uuidString.prefix(8)) }

    static func line(_ visit: Visit, status: String, output: Output) -> String {
        // Calendar days on site, as the report counts them (Protocol/REPORT.md, days_on_site).
        let days = CivilDate(visit.end).days(since: CivilDate(visit.start)) + 1
        // Names are data (from the server, or an outbox written by an older client): escaped.
        let cadres = visit.cadres.map { TerminalText.line($0.name) }.joined(separator: ", ")
        let commune = DefaultData.communes.first { $0.code == visit.communeCode }.map { " \($0.name)" } ?? ""
        let length = "\(days)" + output.pick(vi: " ngày", en: days == 1 ? " day" : " days")
        return "  \(shortID(visit.id))  \(VietnameseFormat.dateTime(visit.start))  \(TerminalText.line(visit.communeCode))\(commune)  \(length)  [\(status)]  \(cadres)"
    }
}

/// The fields of a visit on the command line, shared by `visit add` and `visit amend`.
struct VisitFields: ParsableArguments {
    static let discussion = """
        Dates need a day and a time: "12/03/2019 08:00" (also 8:00, 8h, 8h30), "2019-03-12 08:00", or ISO 8601
        ("2019-03-12T08:00", "2019-03-12T08:00:00+07:00"). Without an offset the time is local (UTC+7).
        Numbers the Vietnamese way: "1.000" is a thousand, "2,5" two and a half; "1,000" is refused as ambiguous.
        Categories: \(ActivityCategory.allCases.map(\.rawValue).joined(separator: ", ")) (or 1–10).
        Example:
          giupxa visit add --commune 03376 --start "12/03/2019 08:00" --end "14/03/2019 16:30" \\
            --cadre "Lò Văn Minh|Phó Giám đốc" --plan "Rà soát hộ nghèo bản Keo Lôm" \\
            --activity "socio_economic_review:Rà soát 45 hộ" --support "Chăn ấm|20|chiếc|4.000.000"
        """

    @Option(help: "JSON file with one visit or an array of visits.") var file: String?
    @Option(help: "Commune code (5 digits) or name of an assigned commune.") var commune: String?
    @Option(help: "Start: day and time, \"12/03/2019 08:00\" (UTC+7) or ISO 8601.") var start: String?
    @Option(help: "End: day and time, \"14/03/2019 16:30\" (UTC+7) or ISO 8601.") var end: String?
    @Option(help: "A cadre who went, \"Name|Position\". Repeat for each cadre.") var cadre: [String] = []
    @Option(help: "Summary of the written plan for this visit (means a written plan exists).") var plan: String?
    @Option(help: "\"category:description\". Repeat for each activity.") var activity: [String] = []
    @Option(help: "Material support, \"description|quantity|unit|value in đồng\", numbers the Vietnamese way (\"Gạo|1.000|kg|15.000.000\"). Repeatable.") var support: [String] = []
    @Option(help: "Results of the visit.") var results: String?
    @Option(help: "What the commune asked for.") var requests: String?

    func validate() throws {
        if file == nil && (commune == nil || start == nil || end == nil) {
            throw ArgumentParser.ValidationError("give --file, or at least --commune, --start, --end and --cadre")
        }
    }

    /// The visits of --file, or the one given by flags.
    func inputs(id: String?, language: Language) throws -> [VisitInput] {
        if let file { return try VisitInput.decodeFile(try VisitFields.contents(of: file, language: language)) }
        return [try flagInput(id: id)]
    }

    /// The bytes of `path`, or a sentence saying why they cannot be read.
    static func contents(of path: String, language: Language) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(message: language.pick(
                vi: "Không có tệp \(path); hãy kiểm tra tên và thư mục", en: "There is no file \(path); check its name and folder"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(message: language.pick(
                vi: "Không đọc được tệp \(path) (không có quyền đọc, hoặc đó là thư mục)", en: "Cannot read \(path) (no permission, or it is a folder)"))
        }
        return data
    }

    /// The visit given by flags.
    func flagInput(id: String?) throws -> VisitInput {
        func split(_ text: String, _ separator: Character) -> [String] {
            text.split(separator: separator, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let cadres = cadre.map { text in
            let parts = split(text, "|")
            return VisitInput.CadreInput(name: parts[0], position: parts.count > 1 ? parts[1] : nil)
        }
        let activities = activity.map { text in
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            return VisitInput.ActivityInput(category: parts.first ?? "", description: parts.count > 1 ? parts[1] : nil)
        }
        var issues: [FieldIssue] = []
        var items: [VisitInput.SupportInput] = []
        for (i, text) in support.enumerated() {
            let parts = split(text, "|")
            guard parts.count == 4 else {
                issues.append(FieldIssue(
                    field: "support[\(i)]", reason: .invalidFormat, value: String(text.prefix(40)),
                    example: "\"Gạo|1.000|kg|15.000.000\" (mô tả|số lượng|đơn vị|giá trị đồng)"))
                continue
            }
            let quantity: Double?
            switch NumberInput.quantity(parts[1]) {
            case .success(let read): quantity = read
            case .failure(let failure):
                issues.append(failure.issue(field: "support[\(i)].quantity", value: parts[1], example: NumberInput.quantityExample))
                quantity = nil
            }
            let value: Int64?
            switch NumberInput.amount(parts[3]) {
            case .success(let read): value = read
            case .failure(let failure):
                issues.append(failure.issue(field: "support[\(i)].value_vnd", value: parts[3], example: NumberInput.amountExample))
                value = nil
            }
            guard let quantity, let value else { continue }
            items.append(.init(description: parts[0], quantity: quantity, unit: parts[2], valueVnd: value))
        }
        var input = VisitInput(
            id: id, commune: commune ?? "", start: start ?? "", end: end ?? "", cadres: cadres,
            plan: VisitInput.PlanInput(written: plan != nil, summary: plan), activities: activities,
            support: items, results: results, communeRequests: requests)
        input.readingIssues = issues
        return input
    }
}

extension VisitCommand {
    /// The communes a cadre may name instead of typing a code: those of the cached assignments.
    static func assignedCommunes(_ outbox: Outbox) throws -> [(code: String, name: String)] {
        try outbox.cachedAssignments().assignments.map { (code: $0.communeCode, name: $0.communeName) }
    }
}
