import Crypto
public import Foundation
import GiupXaProtocol
public import GiupXaStorage

/// Issues credentials for operators' commands: a fresh secret bound to this server's static
/// key. The text is returned once for the operator to hand over; the store keeps only the
/// verifier (the derived public keys and psk). This is the one moment the server holds the
/// secret, so the bundle-signing public key (PROTOCOL.md §15) is registered here too.
public struct CredentialIssuer: Sendable {
    let store: any GiupXaStore

    public init(store: any GiupXaStore) {
        self.store = store
    }

    public struct Issued: Sendable {
        public var info: CredentialInfo
        /// "gx2_…", shown once.
        public var text: String
    }

    /// With `replacing`, the owner's earlier credentials are revoked in the same transaction.
    public func issue(for owner: CredentialOwner, replacing: Bool, now: Date = Date()) async throws -> Issued {
        // Only the public half is needed: operators issue credentials without the key file.
        guard let serverKey = try await store.serverPublicKey() else { throw ServerKeyError.notCreated }
        let credential = SecureCredential.generate(serverPublicKey: serverKey)
        let verifier = credential.verifier
        let info = try await store.issueCredential(
            for: owner, publicKey: verifier.publicKey, psk: verifier.psk, bundleKey: verifier.bundlePublicKey,
            replacing: replacing, now: now)
        return Issued(info: info, text: credential.text)
    }
}
