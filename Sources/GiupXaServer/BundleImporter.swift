public import Foundation
public import GiupXaMessages
public import GiupXaModels
public import GiupXaProtocol
public import GiupXaStorage

/// Authenticates an offline bundle before any of its visits is decoded (PROTOCOL.md §15): the
/// credential it names must be known, an agency's, the header's agency's, not revoked, with a
/// registered bundle key under which the signature over the exact bytes verifies. A format-1
/// bundle (unsigned) is opened only when an operator vouches for it.
public struct BundleImporter: Sendable {
    let store: any GiupXaStore
    let limits: ProtocolLimits

    public init(store: any GiupXaStore, limits: ProtocolLimits = .default) {
        self.store = store
        self.limits = limits
    }

    /// An authenticated bundle's visits, with whom to store them for and who vouched for them.
    public struct Opened: Sendable {
        public var header: Giupxa_V1_BundleHeader
        public var agency: Agency
        public var request: Giupxa_V1_SubmitVisitsRequest
        public var source: VisitSource
    }

    /// Why a bundle is refused; nothing of a refused bundle is stored.
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// Damaged, truncated, or not a bundle; also a signature that does not verify.
        case format(VisitBundle.Failure)
        /// Format 1 and no operator vouched for it.
        case unsigned
        /// The operator's note for `unsigned` is empty, too long or has control characters.
        case invalidNote
        /// No credential has the static public key the header names.
        case unknownCredential
        /// The named credential is an operator's: operators do not write bundles.
        case notAnAgencyCredential(id: Int64)
        /// The credential is another agency's than the one the header names.
        case wrongAgency(named: String, credentialAgency: String, id: Int64)
        case revoked(id: Int64, at: Date)
        /// Issued before signed bundles: no bundle key was registered; rotate it.
        case noBundleKey(id: Int64)

        public func message(_ language: Language) -> String {
            switch self {
            case .format(let failure):
                return failure.message(language)
            case .unsigned:
                return language.pick(
                    vi: "tệp định dạng 1 (GXB1) không có chữ ký nên không chứng minh được ai đã ghi nó; "
                        + "chỉ nhận khi người vận hành chịu trách nhiệm: --accept-unsigned \"lý do / tên người vận hành\"",
                    en: "format-1 (GXB1) bundle has no signature, so nothing shows who wrote it; "
                        + "accepted only if an operator vouches for it: --accept-unsigned \"reason / operator name\"")
            case .invalidNote:
                return language.pick(
                    vi: "ghi chú của --accept-unsigned phải có 1–200 ký tự, không có ký tự điều khiển",
                    en: "the --accept-unsigned note must be 1–200 characters, without control characters")
            case .unknownCredential:
                return language.pick(
                    vi: "tệp được ký bởi một khoá truy cập máy chủ này không cấp (giả mạo, hoặc của máy chủ khác)",
                    en: "signed with a credential this server never issued (forged, or another server's)")
            case .notAnAgencyCredential(let id):
                return language.pick(
                    vi: "khoá truy cập #\(id) là của người vận hành, không phải của cơ quan",
                    en: "credential #\(id) is an operator's, not an agency's")
            case .wrongAgency(let named, let owner, let id):
                return language.pick(
                    vi: "tệp ghi cơ quan \(named) nhưng được ký bằng khoá truy cập #\(id) của \(owner)",
                    en: "the bundle names agency \(named) but is signed with credential #\(id) of \(owner)")
            case .revoked(let id, let at):
                return language.pick(
                    vi: "khoá truy cập #\(id) đã bị thu hồi lúc \(VietnameseFormat.dateTime(at)); hãy xuất lại tệp bằng khoá mới",
                    en: "credential #\(id) was revoked at \(VietnameseFormat.dateTime(at)); export the bundle again with the new credential")
            case .noBundleKey(let id):
                return language.pick(
                    vi: "khoá truy cập #\(id) được cấp trước khi có tệp ký nên không có khoá kiểm tra chữ ký; "
                        + "hãy cấp lại (credential rotate) rồi xuất lại tệp",
                    en: "credential #\(id) was issued before signed bundles and has no signature key; "
                        + "rotate it (credential rotate) and export the bundle again")
            }
        }

        public var description: String { message(.en) }
    }

    /// Checks the bundle in the order of PROTOCOL.md §15 and decodes its visits only once it is
    /// authenticated. `acceptUnsigned`: the operator's note vouching for a format-1 bundle
    /// (nil refuses them); a format-2 bundle is checked in full whatever it says.
    public func open(_ bytes: [UInt8], acceptUnsigned: String? = nil) async throws -> Opened {
        let envelope: VisitBundle.Envelope
        do { envelope = try VisitBundle.read(bytes) } catch { throw Refusal.format(error) }
        let named = envelope.header.agencyCode.uppercased()
        let source: VisitSource
        switch envelope.format {
        case .unsigned:
            guard let acceptUnsigned else { throw Refusal.unsigned }
            let note = acceptUnsigned.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(note.count), !note.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw Refusal.invalidNote
            }
            source = .unsignedBundle(note: note)
        case .signed:
            guard let signer = try await store.bundleSigner(publicKey: envelope.credentialPublicKey) else { throw Refusal.unknownCredential }
            let id = signer.info.id
            guard case .agency(let owner) = signer.info.owner else { throw Refusal.notAnAgencyCredential(id: id) }
            guard owner.uppercased() == named else { throw Refusal.wrongAgency(named: named, credentialAgency: owner, id: id) }
            if let revokedAt = signer.info.revokedAt { throw Refusal.revoked(id: id, at: revokedAt) }
            guard let key = signer.bundleKey else { throw Refusal.noBundleKey(id: id) }
            do { try envelope.verifySignature(bundlePublicKey: key) } catch { throw Refusal.format(error) }
            source = .bundle(credentialID: id)
        }
        guard let agency = try await store.agency(code: named) else { throw StoreError.unknownAgency(named) }
        let request: Giupxa_V1_SubmitVisitsRequest
        do { request = try envelope.visits(limits: limits) } catch { throw Refusal.format(error) }
        return Opened(header: envelope.header, agency: agency, request: request, source: source)
    }
}
