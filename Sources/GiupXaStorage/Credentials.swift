public import Foundation
public import GiupXaModels

/// Who a credential speaks for: an agency (its own visits and assignments) or an operator of
/// the standing agency (operator methods). The two kinds are never interchangeable.
public enum CredentialOwner: Sendable, Hashable, Codable, CustomStringConvertible {
    case agency(code: String)
    case `operator`(name: String)

    public var description: String {
        switch self {
        case .agency(let code): code
        case .operator(let name): "operator:\(name)"
        }
    }
}

/// The authenticated side of a connection.
public enum Principal: Sendable, Hashable {
    case agency(Agency)
    case `operator`(name: String)
}

public struct AuthenticatedCredential: Sendable, Hashable {
    public var id: Int64
    public var principal: Principal
    /// The credential's psk, mixed into the handshake's second message.
    public var psk: Data
}

/// A credential as operators see it: never the secret.
public struct CredentialInfo: Sendable, Hashable, Codable {
    public var id: Int64
    public var owner: CredentialOwner
    public var issuedAt: Date
    public var revokedAt: Date?
}
