import GiupXaStorage
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Cuts live connections whose credential an operator revoked or rotated (in this process or
/// another one: `giupxa-server credential revoke` writes the database), within `interval`.
/// A handshake already refuses a revoked credential; this reaches connections opened before.
final class RevocationWatch: Sendable {
    private struct Live {
        var channel: any Channel
        var revoke: @Sendable () -> Void
    }

    private let connections = NIOLockedValueBox([Int64: [ObjectIdentifier: Live]]())
    let interval: Duration

    init(interval: Duration = .milliseconds(250)) {
        self.interval = interval
    }

    /// `revoke` runs (once) if the credential is found revoked while the connection is open.
    func register(_ channel: any Channel, credentialID: Int64, revoke: @escaping @Sendable () -> Void) {
        connections.withLockedValue { $0[credentialID, default: [:]][ObjectIdentifier(channel)] = Live(channel: channel, revoke: revoke) }
    }

    func unregister(_ channel: any Channel, credentialID: Int64) {
        connections.withLockedValue { all in
            all[credentialID]?.removeValue(forKey: ObjectIdentifier(channel))
            if all[credentialID]?.isEmpty == true { all[credentialID] = nil }
        }
    }

    /// Polls the store until cancelled.
    func run(store: any GiupXaStore, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let live = connections.withLockedValue { Set($0.keys) }
            guard !live.isEmpty else { continue }
            let revoked: Set<Int64>
            do {
                revoked = try await store.revokedCredentialIDs()
            } catch {
                logger.warning("revocation check failed", metadata: ["error": "\(error)"])
                continue
            }
            let cut = connections.withLockedValue { all -> [Live] in
                live.intersection(revoked).flatMap { id in all.removeValue(forKey: id).map { Array($0.values) } ?? [] }
            }
            if !cut.isEmpty {
                logger.notice("credential revoked: closing its connections", metadata: ["giupxa.connections": "\(cut.count)"])
            }
            for connection in cut { connection.revoke() }
        }
    }
}
