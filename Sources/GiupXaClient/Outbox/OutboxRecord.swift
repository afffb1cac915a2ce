import Crypto
public import Foundation
import GiupXaMessages
public import GiupXaModels
import SwiftProtobuf

/// How the outbox stores a visit: a format of its own, not the domain type's `Codable` shape
/// (renaming a property must not strand every device's pending visits). Byte 0 is the format
/// (1), bytes 1–32 the SHA-256 of the rest, and the rest the visit's canonical v1 message
/// (`StoredVisit` with the visit and its agency code, as the server stores it): a row changed
/// on the disk, by a fault or by hand, is noticed before it is sent.
public enum OutboxRecord {
    public static let format: UInt8 = 1

    public enum Failure: Error, Sendable, Hashable {
        /// The checksum does not match: the row was changed after it was written.
        case checksum
        case unknownFormat(UInt8)
        /// Not a record at all (cut short, or not a visit's message).
        case malformed

        public func message(_ language: Language) -> String {
            switch self {
            case .checksum: language.pick(vi: "nội dung không khớp mã kiểm tra (bị sửa hoặc hỏng trên đĩa)", en: "its content does not match its checksum (changed or damaged on disk)")
            case .unknownFormat(let format): language.pick(vi: "định dạng \(format) do phiên bản giupxa mới hơn ghi", en: "format \(format), written by a newer giupxa")
            case .malformed: language.pick(vi: "dữ liệu không đọc được", en: "unreadable data")
            }
        }
    }

    public static func encode(_ visit: Visit) throws -> Data {
        var stored = Giupxa_V1_StoredVisit()
        stored.visit = Giupxa_V1_Visit(visit)
        stored.agencyCode = visit.agencyCode
        let message: Data = try stored.serializedBytes()
        return Data([format]) + Data(SHA256.hash(data: message)) + message
    }

    public static func decode(_ record: Data) throws(Failure) -> Visit {
        guard let first = record.first else { throw .malformed }
        guard first == format else { throw .unknownFormat(first) }
        guard record.count >= 33 else { throw .malformed }
        let message = record.dropFirst(33)
        guard Data(SHA256.hash(data: message)) == record.dropFirst().prefix(32) else { throw .checksum }
        do {
            let stored = try Giupxa_V1_StoredVisit(serializedBytes: Data(message))
            return try stored.visit.toModel(agencyCode: stored.agencyCode)
        } catch {
            throw .malformed
        }
    }
}
