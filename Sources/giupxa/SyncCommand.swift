import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaCLISupport
import GiupXaModels

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send pending visits to the server and record the answer for each one.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Visits in the first call; later calls adapt to the link.") var batchSize = 50
    @Option(help: "Seconds before a call is abandoned and retried.") var timeout = 120
    @Option(help: "Failed attempts in a row before giving up.") var maxFailures = 8
    @Option(help: "First wait before reconnecting, in ms (doubles per failure, jittered).") var backoffMs = 500
    @Option(help: "Longest wait before reconnecting, in ms.") var backoffMaxMs = 30_000

    func validate() throws {
        let largest = SyncPolicy().maxBatchSize
        guard (1...largest).contains(batchSize) else { throw ArgumentParser.ValidationError("--batch-size must be 1…\(largest)") }
        guard (1...3600).contains(timeout) else { throw ArgumentParser.ValidationError("--timeout must be 1…3600 seconds") }
        guard (0...1000).contains(maxFailures) else { throw ArgumentParser.ValidationError("--max-failures must be 0…1000") }
        guard backoffMs >= 1, backoffMaxMs >= 1 else { throw ArgumentParser.ValidationError("--backoff-ms and --backoff-max-ms must be positive") }
    }

    func run() async throws {
        try await global.run { home, config, output in
            let outbox = try home.openOutbox()
            DamagedRows.warn(outbox, output: output)
            let client = try AgencyClient(configuration: config, language: output.language, counters: outbox)
            var policy = SyncPolicy()
            policy.initialBatchSize = batchSize
            policy.callTimeout = .seconds(timeout)
            policy.maxFailuresWithoutProgress = maxFailures
            policy.backoffBase = .milliseconds(backoffMs)
            policy.backoffCap = .milliseconds(max(backoffMs, backoffMaxMs))
            let engine = SyncEngine(client: client, outbox: outbox, policy: policy)
            let reporter = ProgressReporter(output: output, interactive: output.format == .text && isTerminal(STDERR_FILENO))
            // At once, before the first byte crosses a slow link: the screen is never blank.
            if output.format == .text {
                let pending = try outbox.counts()[.pending] ?? 0
                CLIText.writeError(output.pick(
                    vi: "Đang kết nối tới \(config.server ?? "?") để gửi \(pending) chuyến công tác…",
                    en: "Connecting to \(config.server ?? "?") to send \(pending) visit(s)…"))
            }
            let summary = try await engine.run(progress: { reporter.update($0) })
            reporter.finish()
            output.emit(summary) { Self.describe(summary, output) }
            if summary.error != nil || !summary.rejected.isEmpty || !summary.conflicts.isEmpty {
                throw ExitCode.failure
            }
        }
    }

    static func describe(_ s: SyncSummary, _ o: Output) -> String {
        // Nothing got through (no server reached, or refused at once): say so first, and that
        // the visits are safe, instead of a summary of zeros.
        if let error = s.error, s.sent + s.amended + s.alreadyOnServer + s.conflicts.count + s.rejected.count == 0 {
            return [
                o.pick(vi: "Không đồng bộ được: ", en: "Nothing was synced: ") + TerminalText.line(error),
                o.pick(
                    vi: "Các chuyến công tác vẫn an toàn trong hộp thư đi (\(s.pending) chờ gửi); chạy lại `giupxa sync` khi có mạng hoặc khi máy chủ sẵn sàng.",
                    en: "The visits are safe in the outbox (\(s.pending) pending); run `giupxa sync` again when online or when the server is back."),
            ].joined(separator: "\n")
        }
        var lines = [
            o.pick(vi: "Đã gửi: \(s.sent)", en: "Sent: \(s.sent)"),
            o.pick(vi: "Đã có trên máy chủ: \(s.alreadyOnServer)", en: "Already on the server: \(s.alreadyOnServer)"),
            o.pick(vi: "Bản sửa đã lưu: \(s.amended)", en: "Corrections stored: \(s.amended)"),
            o.pick(vi: "Xung đột: \(s.conflicts.count)", en: "Conflicts: \(s.conflicts.count)"),
            o.pick(vi: "Bị từ chối: \(s.rejected.count)", en: "Rejected: \(s.rejected.count)"),
            o.pick(vi: "Còn chờ gửi: \(s.pending)", en: "Still pending: \(s.pending)"),
            o.pick(vi: "Kết nối: \(s.connections), thử lại: \(s.retries)", en: "Connections: \(s.connections), retries: \(s.retries)"),
            o.pick(
                vi: "Dữ liệu qua mạng: gửi \(s.bytesSent) byte, nhận \(s.bytesReceived) byte, \(String(format: "%.2f", s.seconds)) giây",
                en: "On the wire: \(s.bytesSent) bytes sent, \(s.bytesReceived) bytes received, \(String(format: "%.2f", s.seconds)) s"),
        ]
        // The server's words are data: escaped.
        for refusal in s.conflicts + s.rejected { lines.append("  \(refusal.id.uuidString): \(TerminalText.line(refusal.message))") }
        if let error = s.error { lines.append(o.pick(vi: "Dừng giữa chừng: ", en: "Stopped early: ") + TerminalText.line(error)) }
        return lines.joined(separator: "\n")
    }
}

/// A progress bar on a terminal (stderr), plain lines otherwise.
final class ProgressReporter: Sendable {
    let output: Output
    let interactive: Bool

    init(output: Output, interactive: Bool) {
        self.output = output
        self.interactive = interactive
    }

    func update(_ p: SyncProgress) {
        let seconds = p.elapsed.seconds
        let rate = seconds > 0 ? Double(p.bytesSent) / seconds : 0
        // A time left only once something was acknowledged: before that there is nothing to go by.
        let remaining = p.acknowledged > 0 ? seconds / Double(p.acknowledged) * Double(p.total - p.acknowledged) : nil
        var stats = "\(p.acknowledged)/\(p.total)  \(p.bytesSent / 1024) KiB  \(Int(rate * 8 / 1000)) kbit/s"
        if let remaining { stats += output.pick(vi: "  còn khoảng \(Int(remaining.rounded())) giây", en: "  about \(Int(remaining.rounded())) s left") }
        if let error = p.lastError.map(TerminalText.line) {
            stats += output.pick(vi: "  — mất kết nối (\(error)), thử lại lần \(p.retries)", en: "  — link lost (\(error)), retry \(p.retries)")
        }
        if interactive {
            let width = 24
            let filled = p.total > 0 ? width * p.acknowledged / p.total : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            // One line that fits the terminal, or it wraps and the bar scrolls away.
            let columns = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
            let line = String("\(bar) \(stats)".prefix(max(20, columns - 1)))
            FileHandle.standardError.write(Data("\r\(line)\u{1B}[K".utf8))
        } else if output.format == .text {
            FileHandle.standardError.write(Data((output.pick(vi: "đã xác nhận ", en: "acknowledged ") + stats + "\n").utf8))
        }
    }

    func finish() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

