import Foundation

/// A preset deflate dictionary (compression mode 2, PROTOCOL.md §9.2): bytes both ends hold
/// before the first message, so even a single short visit compresses against typical visit
/// text. Identified by a number agreed in the HELLO; a published dictionary never changes.
public struct CompressionDictionary: Sendable, Hashable {
    public let id: UInt32
    public let bytes: [UInt8]

    /// Visit text of Điện Biên: place and agency names, activity titles, sample visits.
    public static let visits1 = CompressionDictionary(id: 1, bytes: Array(Data(base64Encoded: EmbeddedDictionaries.visits1Base64)!))

    /// The dictionaries this implementation knows, by id.
    public static func known(_ id: UInt32) -> CompressionDictionary? {
        id == visits1.id ? visits1 : nil
    }
}
