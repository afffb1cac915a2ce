import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaCLISupport
import GiupXaModels

struct AssignmentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assignments",
        abstract: "List the communes assigned to this agency (from the offline cache; --refresh fetches them).")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Fetch the list from the server first and update the cache.") var refresh = false

    func run() async throws {
        try await global.run { home, config, output in
            let outbox = try home.openOutbox()
            if refresh {
                let client = try AgencyClient(configuration: config, language: output.language, counters: outbox)
                _ = try await client.refreshAssignments(into: outbox)
            }
            let (assignments, fetchedAt) = try outbox.cachedAssignments()
            struct View: Encodable { var fetchedAt: Date?; var assignments: [Outbox.CachedAssignment] }
            output.emit(View(fetchedAt: fetchedAt, assignments: assignments)) {
                guard let fetchedAt else {
                    return output.pick(
                        vi: "Chưa có danh sách xã được phân công. Chạy `giupxa assignments --refresh` khi có mạng.",
                        en: "No assignments cached yet. Run `giupxa assignments --refresh` when online.")
                }
                var lines = [output.pick(
                    vi: "Xã được phân công giúp (cập nhật \(VietnameseFormat.dateTime(fetchedAt))):",
                    en: "Assigned communes (fetched \(VietnameseFormat.dateTime(fetchedAt))):")]
                // Which decision is in force today, as far as the cache shows the decisions.
                let today = CivilDate(Date())
                let inForce = Decision.inForce(on: today, among: Outbox.CachedAssignment.decisions(in: assignments))
                for a in assignments {
                    let role = a.role == .lead ? output.pick(vi: "phụ trách", en: "lead") : output.pick(vi: "phối hợp", en: "supporting")
                    let sample = a.isSample ? output.pick(vi: " [dữ liệu mẫu]", en: " [sample data]") : ""
                    let state: String
                    if a.decisionNumber == inForce?.number {
                        state = output.pick(vi: " [đang có hiệu lực]", en: " [in force]")
                    } else if a.period.end < today {
                        state = output.pick(vi: " [đã hết hạn]", en: " [expired]")
                    } else if today < a.period.start {
                        state = output.pick(vi: " [chưa có hiệu lực]", en: " [not yet in force]")
                    } else {
                        state = output.pick(vi: " [đã được thay bằng QĐ \(TerminalText.line(inForce?.number ?? "?"))]", en: " [superseded by decision \(TerminalText.line(inForce?.number ?? "?"))]")
                    }
                    // Names and numbers come from the server: escaped, so they cannot fake lines.
                    let (code, commune, district) = (TerminalText.line(a.communeCode), TerminalText.line(a.communeName), TerminalText.line(a.districtName))
                    lines.append("  \(code)  \(commune) (\(district)) — \(role), QĐ \(TerminalText.line(a.decisionNumber)) \(a.period.start)–\(a.period.end)\(state)\(sample)")
                }
                return lines.joined(separator: "\n")
            }
        }
    }
}
