import Foundation

/// A parsed CSV file (RFC 4180: quoted fields, doubled quotes, CRLF or LF), as operators
/// export it from Excel: a UTF-8 BOM is dropped and all text comes out NFC.
public struct CSVTable: Sendable {
    public var header: [String]
    public var rows: [[String]]

    public enum ParseError: Error, Sendable, Equatable {
        case empty
        case unterminatedQuote(line: Int)
    }

    public init(parsing text: String) throws(ParseError) {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var quoteLine = 1
        var chars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        var first = true

        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        while let c = next() {
            if first { first = false; if c == "\u{FEFF}" { continue } }
            if inQuotes {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = n }
                    } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty:
                inQuotes = true
                quoteLine = line
            case ",":
                record.append(field); field = ""
            case "\r":
                continue
            case "\n":
                record.append(field); field = ""
                records.append(record); record = []
                line += 1
            default:
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw .unterminatedQuote(line: quoteLine) }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        records = records.filter { !($0.count == 1 && $0[0].trimmingCharacters(in: .whitespaces).isEmpty) }
        guard let head = records.first else { throw .empty }
        header = head.map(VietnameseText.normalize)
        rows = records.dropFirst().map { $0.map(VietnameseText.normalize) }
    }

    /// The index of the first column whose header matches one of `names` by search key, so
    /// "Mã xã", "ma xa" and "MÃ XÃ" all find the same column.
    public func column(_ names: String...) -> Int? {
        let keys = Set(names.map(VietnameseText.searchKey))
        return header.firstIndex { keys.contains(VietnameseText.searchKey($0)) }
    }
}
