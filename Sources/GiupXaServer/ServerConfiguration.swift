public import GiupXaProtocol

public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; `GiupXaServer.run(onBound:)` reports the real one.
    public var port: Int
    public var limits: ProtocolLimits
    public var serverName: String
    /// A connection that has not completed its HELLO within this time is closed.
    public var handshakeTimeoutSeconds: Int64
    /// A connection that completes no frame for this long is closed: counted in whole frames,
    /// so a client trickling one byte a minute is dropped too. Generous: 2G round trips
    /// approach a second and a cadre may pause between commands.
    public var idleTimeoutSeconds: Int64
    /// Connections beyond this are refused with GOAWAY RESOURCE_EXHAUSTED.
    public var maxConnections: Int
    /// Calls per second each agency may start (all its connections together), and the burst
    /// it may spend at once; beyond that a call ends with RESOURCE_EXHAUSTED.
    public var callsPerSecondPerAgency: Double
    public var callBurstPerAgency: Double
    /// Accept plaintext v1 connections from non-loopback peers (diagnostics only: v1 sends the
    /// credential in clear). Loopback peers may always use v1.
    public var allowPlaintext: Bool
    /// Bytes all connections together may hold in frames still arriving (ReceiveBudget);
    /// a connection whose large frame does not fit is closed with RESOURCE_EXHAUSTED.
    public var partialFrameBudgetBytes: Int = 256 << 20

    public init(
        host: String = "127.0.0.1", port: Int = 7070, limits: ProtocolLimits = .default,
        serverName: String = "giupxa-server/0.1", handshakeTimeoutSeconds: Int64 = 30, idleTimeoutSeconds: Int64 = 300,
        maxConnections: Int = 20_000, callsPerSecondPerAgency: Double = 20, callBurstPerAgency: Double = 60,
        allowPlaintext: Bool = false
    ) {
        self.allowPlaintext = allowPlaintext
        self.host = host
        self.port = port
        self.limits = limits
        self.serverName = serverName
        self.handshakeTimeoutSeconds = handshakeTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
        self.callsPerSecondPerAgency = callsPerSecondPerAgency
        self.callBurstPerAgency = callBurstPerAgency
    }
}
