/// A commune-level unit (xã, phường, thị trấn) with its General Statistics Office code.
/// Codes are reused across reorganisations, so a code identifies a commune only together
/// with the data set (here: the 2017 units) it comes from.
public struct Commune: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case xa, phuong, thiTran = "thi_tran"
    }

    public var code: String
    public var name: String
    public var kind: Kind
    public var district: District

    public init(code: String, name: String, kind: Kind, district: District) {
        self.code = code
        self.name = VietnameseText.normalize(name)
        self.kind = kind
        self.district = district
    }

    public var searchKey: String { VietnameseText.searchKey(name) }

    /// A five-digit GSO commune code.
    public static func isValidCode(_ code: String) -> Bool {
        code.utf8.count == 5 && code.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}

/// A district-level unit (huyện, thị xã, thành phố) with its GSO code.
public struct District: Sendable, Hashable, Codable {
    public var code: String
    public var name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = VietnameseText.normalize(name)
    }
}
