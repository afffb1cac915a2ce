/// A token in a Noise message pattern (spec rev. 34, §7 and §9 for `psk`).
public enum NoiseToken: String, Sendable, Equatable {
    case e, s, ee, es, se, ss, psk
}

/// A handshake pattern: pre-messages plus the ordered message token lists. Even-indexed
/// messages go initiator→responder, odd-indexed ones responder→initiator.
public struct HandshakePattern: Sendable, Equatable {
    public let name: String
    public let initiatorPreMessage: [NoiseToken]
    public let responderPreMessage: [NoiseToken]
    public let messages: [[NoiseToken]]

    public init(
        name: String, initiatorPreMessage: [NoiseToken] = [], responderPreMessage: [NoiseToken] = [],
        messages: [[NoiseToken]]
    ) {
        self.name = name
        self.initiatorPreMessage = initiatorPreMessage
        self.responderPreMessage = responderPreMessage
        self.messages = messages
    }

    /// True when the pattern carries a psk modifier (any `psk` token).
    public var usesPSK: Bool { messages.contains { $0.contains(.psk) } }
    /// Number of psk tokens, i.e. how many psks must be supplied.
    public var pskCount: Int { messages.reduce(0) { $0 + $1.filter { $0 == .psk }.count } }

    /// Full protocol name for this suite.
    public var protocolName: String { "Noise_\(name)_25519_ChaChaPoly_SHA256" }

    // MARK: - Supported patterns (spec §7.4, §7.5, §9.4)

    public static let NN = HandshakePattern(name: "NN", messages: [[.e], [.e, .ee]])
    public static let NNpsk0 = HandshakePattern(name: "NNpsk0", messages: [[.psk, .e], [.e, .ee]])
    public static let XX = HandshakePattern(name: "XX", messages: [[.e], [.e, .ee, .s, .es], [.s, .se]])
    public static let IK = HandshakePattern(
        name: "IK", responderPreMessage: [.s], messages: [[.e, .es, .s, .ss], [.e, .ee, .se]])
    public static let IKpsk2 = HandshakePattern(
        name: "IKpsk2", responderPreMessage: [.s], messages: [[.e, .es, .s, .ss], [.e, .ee, .se, .psk]])

    public static let all: [HandshakePattern] = [.NN, .NNpsk0, .XX, .IK, .IKpsk2]

    /// Looks a pattern up by its short name ("IKpsk2") or full protocol name.
    public static func named(_ name: String) -> HandshakePattern? {
        all.first { $0.name == name || $0.protocolName == name }
    }
}
