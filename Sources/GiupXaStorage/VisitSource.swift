import Foundation
public import GiupXaModels

/// Who vouched for a stored revision (PROTOCOL.md §15), kept with it in `visit_revision.source`.
/// Revisions stored before it was recorded have none.
public enum VisitSource: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A connection's SubmitVisits or AmendVisits: the handshake authenticated the sender (the
    /// credential of a first submission is the visit's `credential_id`).
    case sync
    /// A format-2 bundle whose signature the credential's bundle key verified.
    case bundle(credentialID: Int64)
    /// A format-1 bundle (no signature), imported because an operator vouched for it.
    case unsignedBundle(note: String)
    /// `giupxa-server import-visits`: an operator's file.
    case `import`

    /// The stored form: `sync`, `bundle:<credential id>`, `unsigned-bundle:<note>`, `import`.
    public var text: String {
        switch self {
        case .sync: "sync"
        case .bundle(let id): "bundle:\(id)"
        case .unsignedBundle(let note): "unsigned-bundle:\(note)"
        case .import: "import"
        }
    }

    public init?(text: String) {
        switch text {
        case "sync": self = .sync
        case "import": self = .import
        default:
            if text.hasPrefix("bundle:"), let id = Int64(text.dropFirst("bundle:".count)) {
                self = .bundle(credentialID: id)
            } else if text.hasPrefix("unsigned-bundle:") {
                self = .unsignedBundle(note: String(text.dropFirst("unsigned-bundle:".count)))
            } else {
                return nil
            }
        }
    }

    public var description: String { text }

    /// For people reading a visit's history.
    public func label(_ language: Language) -> String {
        switch self {
        case .sync: language.pick(vi: "đồng bộ", en: "sync")
        case .bundle(let id): language.pick(vi: "tệp có chữ ký của khoá #\(id)", en: "bundle signed by credential #\(id)")
        case .unsignedBundle(let note): language.pick(vi: "tệp không chữ ký, nhận theo \"\(note)\"", en: "unsigned bundle, accepted per \"\(note)\"")
        case .import: language.pick(vi: "nhập từ tệp JSON", en: "import-visits")
        }
    }

    // JSON carries the stored form, so scripts read the same text as the database holds.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let source = VisitSource(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown visit source \(text)"))
        }
        self = source
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
