import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaModels

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the outbox counts and the configuration, without using the network.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.run { home, config, output in
            let outbox = try home.openOutbox()
            let counts = try outbox.counts()
            let cached = try outbox.cachedAssignments()
            struct View: Encodable {
                var server: String?
                var agency: String?
                var pending, sent, conflict, rejected: Int
                var correctionsPending: Int
                var assignmentsCached: Int
                var assignmentsFetchedAt: Date?
            }
            let view = View(
                server: config.server, agency: config.agencyCode,
                pending: counts[.pending] ?? 0, sent: counts[.sent] ?? 0,
                conflict: counts[.conflict] ?? 0, rejected: counts[.rejected] ?? 0,
                correctionsPending: try outbox.amendmentCounts()[.pending] ?? 0,
                assignmentsCached: cached.assignments.count, assignmentsFetchedAt: cached.fetchedAt)
            output.emit(view) {
                let none = output.pick(vi: "(chưa đặt)", en: "(not set)")
                return """
                    \(output.pick(vi: "Cơ quan", en: "Agency")): \(view.agency ?? none)   \(output.pick(vi: "Máy chủ", en: "Server")): \(view.server ?? none)
                    \(output.pick(vi: "Chờ gửi", en: "Pending")): \(view.pending)   \(output.pick(vi: "Đã gửi", en: "Sent")): \(view.sent)   \(output.pick(vi: "Xung đột", en: "Conflicts")): \(view.conflict)   \(output.pick(vi: "Bị từ chối", en: "Rejected")): \(view.rejected)   \(output.pick(vi: "Bản sửa chờ gửi", en: "Corrections pending")): \(view.correctionsPending)
                    \(output.pick(vi: "Xã được phân công (bộ nhớ đệm)", en: "Assigned communes (cached)")): \(view.assignmentsCached)
                    """
            }
        }
    }
}
