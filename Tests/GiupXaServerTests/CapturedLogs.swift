import Logging
import NIOConcurrencyHelpers

/// A log that keeps every line it is given, message and metadata rendered as a stream handler
/// would print them, so tests can read what an operator's log file would hold.
final class CapturedLogs: Sendable {
    struct Line: Sendable {
        var level: Logger.Level
        var text: String
    }

    private let store = NIOLockedValueBox([Line]())

    var lines: [Line] { store.withLockedValue { $0 } }

    var logger: Logger {
        var logger = Logger(label: "captured") { _ in Handler(logs: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: Line) { store.withLockedValue { $0.append(line) } }

    private struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            logs.append(Line(level: event.level, text: "\(event.level) \(event.message) \(rendered)"))
        }
    }
}
