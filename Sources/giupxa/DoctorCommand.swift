import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaCLISupport
import GiupXaModels

/// Checks the device's own data without the network: every outbox row reads back as written,
/// and the assignments cache is there.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Check the outbox and the assignments cache on this device (no network).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.run { home, config, output in
            let outbox = try home.openOutbox()
            let damaged = try outbox.damaged()
            let cache = try outbox.cachedAssignments()
            struct View: Encodable { var damaged: [String]; var assignmentsCached: Int; var assignmentsFetchedAt: Date? }
            output.emit(View(damaged: damaged.map(\.id), assignmentsCached: cache.assignments.count, assignmentsFetchedAt: cache.fetchedAt)) {
                var lines: [String] = []
                if damaged.isEmpty {
                    lines.append(output.pick(vi: "Hộp thư đi: mọi chuyến công tác đọc lại đúng như đã ghi.", en: "Outbox: every visit reads back as it was written."))
                } else {
                    lines.append(DamagedRows.summary(damaged, output: output))
                }
                lines.append(cache.fetchedAt.map {
                    output.pick(vi: "Danh sách xã được phân công: \(cache.assignments.count) dòng, cập nhật \(VietnameseFormat.dateTime($0)).",
                                en: "Assignments cache: \(cache.assignments.count) rows, fetched \(VietnameseFormat.dateTime($0)).")
                } ?? output.pick(vi: "Chưa có danh sách xã được phân công: chạy `giupxa assignments --refresh` khi có mạng.",
                                 en: "No assignments cached: run `giupxa assignments --refresh` when online."))
                return lines.joined(separator: "\n")
            }
            if !damaged.isEmpty { throw ExitCode.failure }
        }
    }
}

/// Rows of the outbox set aside because they do not read back, named wherever visits are listed or sent.
enum DamagedRows {
    static func summary(_ rows: [Outbox.DamagedRow], output: Output) -> String {
        let named = rows.map { "  \($0.id): \($0.failure.message(output.language))" }.joined(separator: "\n")
        return output.pick(
            vi: "Cảnh báo: \(rows.count) chuyến công tác trong hộp thư đi bị hỏng nên được để riêng, không gửi; các chuyến khác không bị ảnh hưởng. Hãy ghi lại các chuyến này (giupxa visit add):",
            en: "Warning: \(rows.count) visit(s) in the outbox are damaged and set aside, not sent; the others are not affected. Record them again (giupxa visit add):")
            + "\n" + named
    }

    /// Writes the warning to standard error if any row is damaged.
    static func warn(_ outbox: Outbox, output: Output) {
        guard let rows = try? outbox.damaged(), !rows.isEmpty else { return }
        CLIText.writeError(summary(rows, output: output))
    }
}
