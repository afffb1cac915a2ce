import Crypto
public import Foundation
public import GiupXaModels
import NIOCore

/// A self-contained, checksummed file of visits, in the wire's own encoding:
///
///     "GXB1" | varint len | BundleHeader | varint len | SubmitVisitsRequest (maybe deflated) | SHA-256
///
/// The SHA-256 covers every byte before it, so a truncated or altered bundle is refused whole.
public enum VisitBundle {
    public static let magic: [UInt8] = Array("GXB1".utf8)
    static let digestSize = 32

    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        case notABundle
        case checksumMismatch
        case malformed(String)
        case unsupportedVersion(UInt32)

        public func message(_ language: Language) -> String {
            switch (self, language) {
            case (.notABundle, .vi): "không phải tệp GiupXa (thiếu \"GXB1\")"
            case (.checksumMismatch, .vi): "sai mã kiểm tra: tệp bị hỏng hoặc không đầy đủ"
            case (.malformed(let why), .vi): "tệp sai cấu trúc: \(why)"
            case (.unsupportedVersion(let v), .vi): "phiên bản tệp \(v) chưa được hỗ trợ"
            default: description
            }
        }

        public var description: String {
            switch self {
            case .notABundle: "not a GiupXa bundle (missing \"GXB1\")"
            case .checksumMismatch: "checksum mismatch: the bundle is damaged or incomplete"
            case .malformed(let why): "malformed bundle: \(why)"
            case .unsupportedVersion(let v): "bundle format version \(v) is not supported"
            }
        }
    }

    public static func encode(agencyCode: String, visits: [Giupxa_V1_Visit], clientName: String, now: Date = Date()) -> [UInt8] {
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = visits
        let plain = MessageCodec.serialize(request)
        let compressed = Deflate.compressIfSmaller(plain)
        var header = Giupxa_V1_BundleHeader()
        header.formatVersion = 1
        header.agencyCode = agencyCode
        header.createdTimeMs = Int64(now.timeIntervalSince1970 * 1000)
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
        let digest = SHA256.hash(data: Array(out.readableBytesView))
        out.writeBytes(Array(digest))
        return Array(out.readableBytesView)
    }

    /// Checks the checksum first, then decodes; nothing is returned from a damaged file.
    public static func decode(_ bytes: [UInt8], limits: ProtocolLimits = .default) throws(Failure) -> (Giupxa_V1_BundleHeader, Giupxa_V1_SubmitVisitsRequest) {
        guard bytes.count > magic.count + digestSize, Array(bytes.prefix(magic.count)) == magic else { throw .notABundle }
        let body = bytes.dropLast(digestSize)
        guard Array(SHA256.hash(data: Array(body))) == Array(bytes.suffix(digestSize)) else { throw .checksumMismatch }
        var buffer = ByteBuffer(bytes: body.dropFirst(magic.count))
        guard case .value(let headerLength) = Varint.read(from: &buffer), let headerBytes = buffer.readSlice(length: Int(headerLength)) else {
            throw .malformed("header length")
        }
        let header: Giupxa_V1_BundleHeader
        do { header = try MessageCodec.decode(Giupxa_V1_BundleHeader.self, from: headerBytes) } catch { throw .malformed("header") }
        guard header.formatVersion == 1 else { throw .unsupportedVersion(header.formatVersion) }
        guard case .value(let payloadLength) = Varint.read(from: &buffer), let payload = buffer.readSlice(length: Int(payloadLength)),
              buffer.readableBytes == 0
        else { throw .malformed("payload length") }
        let compression: FrameFlags.Compression
        switch header.compression {
        case 0: compression = .none
        case 1: compression = .deflateRaw
        default: throw .malformed("compression mode \(header.compression)")
        }
        do {
            let message = try MessageCodec.openMessage(payload, compression: compression, limits: limits)
            let request = try MessageCodec.decode(Giupxa_V1_SubmitVisitsRequest.self, from: message)
            guard request.visits.count == header.visitCount else { throw Failure.malformed("visit count") }
            return (header, request)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .malformed("\(error)")
        }
    }
}
