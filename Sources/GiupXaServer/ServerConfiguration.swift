public import GiupXaProtocol

public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; `GiupXaServer.run(onBound:)` reports the real one.
    public var port: Int
    public var limits: ProtocolLimits
    public var serverName: String
    /// A connection that has not completed its HELLO within this time is closed.
    public var handshakeTimeoutSeconds: Int64
    /// A connection with no inbound bytes for this long is closed. Generous: a cadre may type
    /// between calls, and 2G round trips approach a second.
    public var idleTimeoutSeconds: Int64

    public init(
        host: String = "127.0.0.1", port: Int = 7070, limits: ProtocolLimits = .default,
        serverName: String = "giupxa-server/0.1", handshakeTimeoutSeconds: Int64 = 30, idleTimeoutSeconds: Int64 = 300
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.serverName = serverName
        self.handshakeTimeoutSeconds = handshakeTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
    }
}
