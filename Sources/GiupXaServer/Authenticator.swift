import Foundation
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import GiupXaStorage
import Logging

/// Checks a ClientHello's credential (PROTOCOL.md §12). In v2 the handshake already proved
/// possession of the static key; here we find whose key it is and enforce the anti-replay
/// counter. In v1 (plaintext, loopback or `--allow-plaintext` only) the credential text itself
/// travels, and the key is derived from it.
struct Authenticator: Sendable {
    let store: any GiupXaStore
    /// This server's static public key: a v1 credential must carry it, as a v2 one must to
    /// complete the handshake at all.
    let serverPublicKey: Data

    func authenticate(
        _ hello: Giupxa_V1_ClientHello, version: UInt8, session: SecureSession, language: Language, logger: Logger
    ) async throws -> AuthenticatedCredential {
        let claimedAgency = hello.credential.agencyCode
        let publicKey: Data
        if version >= SecureChannel.version {
            guard let key = session.remoteStaticKey else { throw ProtocolViolation.malformedHello("no handshake") }
            publicKey = key
        } else {
            guard let credential = SecureCredential(parsing: hello.credential.secret), credential.serverPublicKey == serverPublicKey else {
                throw refusal(claimedAgency, language: language, logger: logger)
            }
            publicKey = credential.verifier.publicKey
        }
        let found: AuthenticatedCredential?
        do {
            found = try await store.authenticate(publicKey: publicKey)
        } catch {
            throw unavailable(error, language: language, logger: logger)
        }
        guard let credential = found else { throw refusal(claimedAgency, language: language, logger: logger) }
        // The agency named in the HELLO, if any, must be the credential's own.
        switch credential.principal {
        case .agency(let agency) where !claimedAgency.isEmpty && claimedAgency.uppercased() != agency.code:
            throw refusal(claimedAgency, language: language, logger: logger)
        case .operator where !claimedAgency.isEmpty:
            throw refusal(claimedAgency, language: language, logger: logger)
        default:
            break
        }
        guard version >= SecureChannel.version else { return credential }

        // From here the client holds the key: answers go encrypted in message 2, even refusals.
        session.authenticated(psk: credential.psk)
        let floor: UInt64?
        do {
            floor = try await store.advanceHandshakeCounter(credentialID: credential.id, to: hello.handshakeCounter)
        } catch {
            throw unavailable(error, language: language, logger: logger)
        }
        if let floor {
            logger.notice(
                "handshake refused: counter not above the last one seen (replay, or devices sharing a credential)",
                metadata: ["giupxa.credential": "\(credential.id)", "giupxa.counter": "\(hello.handshakeCounter)", "giupxa.floor": "\(floor)"])
            throw StaleHandshakeCounter(floor: floor, language: language)
        }
        return credential
    }

    private func refusal(_ claimed: String, language: Language, logger: Logger) -> RPCError {
        logger.notice("authentication refused", metadata: ["giupxa.agency": "\(LogText.escaped(claimed, limit: 16))"])
        return HandshakeRefusal.unauthenticated(language)
    }

    private func unavailable(_ error: any Error, language: Language, logger: Logger) -> RPCError {
        logger.error("credential check failed", metadata: ["error": "\(error)"])
        // Recording the anti-replay counter is a write: a full disk refuses the handshake, and says so.
        return SQLiteStore.isStorageFull(error) ? HandshakeRefusal.storageFull(language) : HandshakeRefusal.storeUnavailable(language)
    }
}

/// A v2 handshake whose counter is not above the credential's last one: a replayed message 1,
/// or a second device with the same credential that fell behind. GOAWAY ABORTED carries the
/// floor so an honest client retries at once with a larger counter.
struct StaleHandshakeCounter: Error {
    let floor: UInt64
    let language: Language

    var goAway: Frame { HandshakeRefusal.staleCounter(floor: floor, language: language) }
}
