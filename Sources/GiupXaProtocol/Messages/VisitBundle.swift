import Crypto
public import Foundation
public import GiupXaMessages
public import GiupXaModels
import NIOCore

/// A self-contained file of visits, in the wire's own encoding (PROTOCOL.md §15). Format 2,
/// what clients write, is signed by the agency's credential:
///
///     "GXB2" | varint L1 | BundleHeader | varint L2 | SubmitVisitsRequest (maybe deflated) | Ed25519 signature (64)
///
/// The signature covers every byte before it, magic included, under the credential's
/// bundle-signing key (`SecureCredential.bundleSigningKey`); the header names the credential by
/// its static public key. Format 1 (`"GXB1"`, earlier clients) ends in a plain SHA-256 instead,
/// which anyone can recompute: it proves nothing about who wrote the file.
///
/// Reading is in two steps so that an importer authenticates before it decodes any visit:
/// `read` checks the structure and returns an `Envelope`; the importer finds the credential,
/// checks the signature (`Envelope.verifySignature`), and only then calls `Envelope.visits`.
public enum VisitBundle {
    /// Format 2, signed.
    public static let magic: [UInt8] = Array("GXB2".utf8)
    /// Format 1, unsigned (checksum only).
    public static let unsignedMagic: [UInt8] = Array("GXB1".utf8)
    public static let signatureSize = 64
    static let digestSize = 32
    static let credentialKeySize = 32

    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case notABundle
        case checksumMismatch
        case malformed(String)
        case unsupportedVersion(UInt32)
        /// Format 2: the signature does not verify under the named credential's bundle key: the
        /// file was changed after signing, or was not signed by that credential.
        case badSignature

        public func message(_ language: Language) -> String {
            switch (self, language) {
            case (.notABundle, .vi): "không phải tệp GiupXa (thiếu \"GXB2\" hoặc \"GXB1\")"
            case (.checksumMismatch, .vi): "sai mã kiểm tra: tệp bị hỏng hoặc không đầy đủ"
            case (.malformed(let why), .vi): "tệp sai cấu trúc: \(why)"
            case (.unsupportedVersion(let v), .vi): "phiên bản tệp \(v) chưa được hỗ trợ"
            case (.badSignature, .vi): "chữ ký không hợp lệ: tệp đã bị sửa sau khi ký, hoặc không do khoá truy cập ghi trong tệp ký"
            default: description
            }
        }

        public var description: String {
            switch self {
            case .notABundle: "not a GiupXa bundle (missing \"GXB2\" or \"GXB1\")"
            case .checksumMismatch: "checksum mismatch: the bundle is damaged or incomplete"
            case .malformed(let why): "malformed bundle: \(why)"
            case .unsupportedVersion(let v): "bundle format version \(v) is not supported"
            case .badSignature: "invalid signature: the bundle was changed after signing, or not signed by the credential it names"
            }
        }
    }

    /// A bundle whose structure has been checked; its visits are not decoded yet.
    public struct Envelope: Sendable {
        public enum Format: Sendable, Hashable {
            /// Format 2: `signature` over `signedBytes`, by the credential named in the header.
            case signed
            /// Format 1: checksum only; nobody vouches for it but the operator who imports it.
            case unsigned
        }

        public let format: Format
        public let header: Giupxa_V1_BundleHeader
        /// Every byte before the signature (format 2) or the checksum (format 1).
        public let signedBytes: [UInt8]
        /// Format 2's 64 bytes; empty in format 1.
        public let signature: [UInt8]
        let payload: ByteBuffer

        /// The credential the header names (its X25519 static public key); empty in format 1.
        public var credentialPublicKey: Data { header.credentialPublicKey }

        /// Checks the signature over the exact bytes read, with the Ed25519 key registered for
        /// the credential the header names. A format-1 bundle has no signature to check.
        public func verifySignature(bundlePublicKey: Data) throws(Failure) {
            guard format == .signed, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bundlePublicKey),
                  key.isValidSignature(signature, for: signedBytes)
            else { throw .badSignature }
        }

        /// Decompresses and decodes the visits. An importer calls it only once the bundle is
        /// authenticated (or, format 1, vouched for by the operator).
        public func visits(limits: ProtocolLimits = .default) throws(Failure) -> Giupxa_V1_SubmitVisitsRequest {
            let compression: FrameFlags.Compression = header.compression == 1 ? .deflateRaw : .none
            do {
                let message = try MessageCodec.openMessage(payload, compression: compression, limits: limits)
                let request = try MessageCodec.decode(Giupxa_V1_SubmitVisitsRequest.self, from: message)
                guard request.visits.count == header.visitCount else { throw Failure.malformed("visit count") }
                return request
            } catch let failure as Failure {
                throw failure
            } catch {
                throw .malformed("\(error)")
            }
        }
    }

    /// A format-2 bundle signed with `credential`'s bundle-signing key. Deterministic for the
    /// same inputs (Ed25519 signatures are; zlib's output is for one zlib version).
    /// `compress: false` keeps the payload plain (test vectors other implementations can
    /// reproduce without zlib).
    public static func encode(
        agencyCode: String, visits: [Giupxa_V1_Visit], clientName: String, credential: SecureCredential,
        now: Date = Date(), compress: Bool = true
    ) -> [UInt8] {
        var header = Giupxa_V1_BundleHeader()
        header.formatVersion = 2
        header.credentialPublicKey = credential.verifier.publicKey
        let body = layout(magic: magic, header: header, agencyCode: agencyCode, visits: visits, clientName: clientName, now: now, compress: compress)
        // swift-crypto's Ed25519 (BoringSSL) is RFC 8032's deterministic signature.
        let signature = try! credential.bundleSigningKey.signature(for: body)
        return body + Array(signature)
    }

    /// A format-1 bundle as clients before signed bundles wrote it: checksummed, not signed.
    /// For tests and tools; the server imports one only when an operator vouches for it.
    public static func encodeUnsigned(agencyCode: String, visits: [Giupxa_V1_Visit], clientName: String, now: Date = Date()) -> [UInt8] {
        var header = Giupxa_V1_BundleHeader()
        header.formatVersion = 1
        let body = layout(magic: unsignedMagic, header: header, agencyCode: agencyCode, visits: visits, clientName: clientName, now: now, compress: true)
        return body + Array(SHA256.hash(data: body))
    }

    private static func layout(
        magic: [UInt8], header: Giupxa_V1_BundleHeader, agencyCode: String, visits: [Giupxa_V1_Visit], clientName: String,
        now: Date, compress: Bool
    ) -> [UInt8] {
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = visits
        let plain = MessageCodec.serialize(request)
        let compressed = compress ? Deflate.compressIfSmaller(plain) : nil
        var header = header
        header.agencyCode = agencyCode
        header.createdTimeMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        header.visitCount = UInt32(visits.count)
        header.compression = compressed == nil ? 0 : 1
        header.clientName = clientName
        let headerBytes = MessageCodec.serialize(header)
        let payload = compressed ?? plain

        var out = ByteBuffer(bytes: magic)
        Varint.write(UInt32(headerBytes.readableBytes), to: &out)
        out.writeImmutableBuffer(headerBytes)
        Varint.write(UInt32(payload.readableBytes), to: &out)
        out.writeImmutableBuffer(payload)
        return Array(out.readableBytesView)
    }

    /// Checks the structure — magic, lengths, header, nothing after the signature (format 2) or
    /// the checksum, which is checked (format 1) — without decoding any visit or checking the
    /// signature, which needs the credential's key.
    public static func read(_ bytes: [UInt8]) throws(Failure) -> Envelope {
        let prefix = Array(bytes.prefix(magic.count))
        let format: Envelope.Format
        let trailer: Int
        switch prefix {
        case magic: (format, trailer) = (.signed, signatureSize)
        case unsignedMagic: (format, trailer) = (.unsigned, digestSize)
        default: throw .notABundle
        }
        guard bytes.count > magic.count + trailer else {
            throw format == .signed ? .malformed("too short") : .notABundle
        }
        let body = Array(bytes.dropLast(trailer))
        let seal = Array(bytes.suffix(trailer))
        if format == .unsigned {
            // Format 1's checksum comes first: its whole content is refused if damaged.
            guard Array(SHA256.hash(data: body)) == seal else { throw .checksumMismatch }
        }
        var buffer = ByteBuffer(bytes: body.dropFirst(magic.count))
        guard case .value(let headerLength) = Varint.read(from: &buffer), let headerBytes = buffer.readSlice(length: Int(headerLength)) else {
            throw .malformed("header length")
        }
        let header: Giupxa_V1_BundleHeader
        do { header = try MessageCodec.decode(Giupxa_V1_BundleHeader.self, from: headerBytes) } catch { throw .malformed("header") }
        switch (format, header.formatVersion) {
        case (.signed, 2):
            guard header.credentialPublicKey.count == credentialKeySize else { throw .malformed("credential_public_key") }
        case (.unsigned, 1):
            break
        default:
            throw .unsupportedVersion(header.formatVersion)
        }
        guard case .value(let payloadLength) = Varint.read(from: &buffer), let payload = buffer.readSlice(length: Int(payloadLength)),
              buffer.readableBytes == 0
        else { throw .malformed("payload length") }
        guard header.compression <= 1 else { throw .malformed("compression mode \(header.compression)") }
        return Envelope(format: format, header: header, signedBytes: body, signature: format == .signed ? seal : [], payload: payload)
    }

    /// Structure and visits without checking who signed it: for fuzzing and diagnostics, never
    /// for storing visits (an importer uses `read`, checks the signature, then `visits`).
    public static func decodeWithoutVerifying(
        _ bytes: [UInt8], limits: ProtocolLimits = .default
    ) throws(Failure) -> (Giupxa_V1_BundleHeader, Giupxa_V1_SubmitVisitsRequest) {
        let envelope = try read(bytes)
        return (envelope.header, try envelope.visits(limits: limits))
    }
}
