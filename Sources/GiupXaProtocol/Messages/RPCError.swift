public import GiupXaMessages
public import GiupXaModels

/// The protocol layer's one public error: a status code, a message for people (already in
/// the language the client asked for), and per-field detail. `description` avoids echoing
/// payload text because visit logs name real people.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    public var fieldErrors: [Giupxa_V1_FieldError]

    public init(code: StatusCode, message: String, fieldErrors: [Giupxa_V1_FieldError] = []) {
        self.code = code
        self.message = message
        self.fieldErrors = fieldErrors
    }

    public init(_ status: Giupxa_V1_Status) {
        self.init(code: StatusCode(rawValue: status.code), message: status.message, fieldErrors: status.fieldErrors)
    }

    /// A domain validation failure as INVALID_ARGUMENT with one FieldError per issue.
    /// At most this many field errors per status: enough to fix a form in one pass, while a
    /// batch of 1000 visits each with 50 empty cadre names answers 10, not 50, per visit (the
    /// answer was 8 MB, and building it 2 s of the server's CPU).
    public static let maxFieldErrors = 10

    public init(_ error: ValidationError, fieldPrefix: String = "", language: Language) {
        let shown = error.issues.prefix(Self.maxFieldErrors)
        let prefixed = ValidationError(shown.map { issue in
            var issue = issue
            issue.field = fieldPrefix + issue.field
            return issue
        })
        let more = error.issues.count - shown.count
        self.init(
            code: .invalidArgument,
            message: prefixed.message(language) + (more > 0 ? language.pick(vi: "; và \(more) lỗi khác", en: "; and \(more) more") : ""),
            fieldErrors: shown.map { Giupxa_V1_FieldError(issue: $0, prefix: fieldPrefix, language: language) })
    }

    public var status: Giupxa_V1_Status {
        var status = Giupxa_V1_Status()
        status.code = code.rawValue
        status.message = message
        status.fieldErrors = fieldErrors
        return status
    }

    public var description: String { "\(code): \(message)" }
}

extension Giupxa_V1_FieldError {
    public init(issue: FieldIssue, prefix: String = "", language: Language) {
        self.init()
        var prefixed = issue
        prefixed.field = prefix + issue.field
        field = prefixed.field
        reason = issue.reason.rawValue
        message = prefixed.message(language)
    }
}

/// A breach of the framing rules: connection-fatal. The receiver sends GOAWAY with the
/// status below and closes; calls in flight on that connection end too.
public enum ProtocolViolation: Error, Sendable, Hashable, CustomStringConvertible {
    case badPreamble
    case unsupportedVersion(min: UInt8, max: UInt8)
    case unknownFrameType(UInt8)
    case reservedFlags
    case malformedVarint(String)
    case frameTooLarge(length: Int, limit: Int)
    case unexpectedFrame(FrameType, String)
    case callIDNotIncreasing(UInt32)
    case malformedHello(String)
    /// A mode-3 message part that did not inflate (§9.3): the stream is out of step for good.
    case compressionContext(Deflate.Failure)
    /// The server holds as many partial frames as it can (ReceiveBudget): retry later.
    case receiveBudgetExhausted(length: Int)
    /// Bytes sent before the protocol gave the sender its turn (§12.2: nothing between
    /// message 1 and message 2), beyond what the receiver holds.
    case earlyBytes(Int)

    public var code: StatusCode {
        switch self {
        case .unsupportedVersion: .failedPrecondition
        case .frameTooLarge, .receiveBudgetExhausted, .earlyBytes: .resourceExhausted
        case .compressionContext(.tooLarge): .resourceExhausted
        case .compressionContext(.corrupt): .invalidArgument
        default: .internal
        }
    }

    public var description: String {
        switch self {
        case .badPreamble: "bad preamble (expected \"GX\" and two version bytes)"
        case .unsupportedVersion(let min, let max): "no common protocol version: client speaks \(min)–\(max), server speaks 1–2"
        case .unknownFrameType(let t): "unknown frame type \(t)"
        case .reservedFlags: "reserved flag bit set"
        case .malformedVarint(let field): "malformed varint in \(field)"
        case .frameTooLarge(let length, let limit): "frame of \(length) bytes exceeds the limit of \(limit)"
        case .unexpectedFrame(let type, let why): "unexpected \(type) frame: \(why)"
        case .callIDNotIncreasing(let id): "call id \(id) does not increase"
        case .malformedHello(let why): "malformed HELLO: \(why)"
        case .compressionContext(.tooLarge(let limit)): "a mode-3 message inflates beyond \(limit) bytes"
        case .compressionContext(.corrupt): "a mode-3 message is not valid in the connection's compression stream"
        case .receiveBudgetExhausted(let length):
            "the server cannot hold another partial frame of \(length) bytes now; retry later"
        case .earlyBytes(let count): "\(count) bytes sent before the server's handshake answer (at most \(SecureChannel.maxEarlyBytes))"
        }
    }

    public var status: Giupxa_V1_Status {
        RPCError(code: code, message: description).status
    }
}
