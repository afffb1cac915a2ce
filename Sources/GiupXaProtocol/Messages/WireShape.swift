public import GiupXaModels
public import NIOCore

/// Counts the repeated fields of a SubmitVisits or AmendVisits request on the wire, before it
/// is decoded, so a batch over its limits costs a scan instead of a decode. Decoding first
/// made 16 KB of deflate (8.4 million empty visits in a 16 MiB message) cost 1.5 GB of memory:
/// each decoded empty visit is a few hundred bytes where its encoding is 2.
///
/// A malformed encoding ends the scan and is left for the decoder to refuse with its own
/// error; a group (wire types 3 and 4, which proto3 never writes but decoders skip) is refused
/// here, as a scan that stopped at it would let what follows through uncounted.
public enum WireShape {
    /// The first list over its limit in a SubmitVisitsRequest (visits = 1; a Visit's cadres = 5,
    /// activities = 7, support = 8), or the first message with more fields than its shape allows,
    /// as the field issue the call is refused with; nil if none.
    public static func submitVisitsIssue(in message: ByteBuffer, maxVisits: Int, limits: VisitLimits) -> FieldIssue? {
        issue(in: message, shape: .submitVisits(maxVisits: maxVisits, limits: limits))
    }

    /// The same for an AmendVisitsRequest (amendments = 1, each an Amendment whose visit = 1).
    public static func amendVisitsIssue(in message: ByteBuffer, maxVisits: Int, limits: VisitLimits) -> FieldIssue? {
        issue(in: message, shape: .amendVisits(maxVisits: maxVisits, limits: limits))
    }

    /// How many visits (or amendments: field 1 either way) a request carries, from its tags
    /// alone; what the rest of a large call costs grows with it.
    public static func items(in message: ByteBuffer) -> Int {
        message.withUnsafeReadableBytes { bytes in
            var scanner = Scanner(bytes)
            var count = 0
            while let field = scanner.next() {
                if field.number == 1 { count += 1 }
            }
            return count
        }
    }

    private static func issue(in message: ByteBuffer, shape: Shape) -> FieldIssue? {
        message.withUnsafeReadableBytes { bytes in shape.issue(in: bytes, path: "") }
    }

    /// What a message may hold: its repeated message fields with their limits, its singular
    /// message fields, and how many other field occurrences (scalars, strings, unknown fields,
    /// a singular field repeated) it may carry. Every occurrence costs the decoder an
    /// allocation or more, so none goes uncounted: 16 MiB of unknown fields cost 1.7 s to decode.
    struct Shape {
        struct List {
            var name: String
            var limit: Int
            var element: Shape
        }

        var lists: [UInt64: List] = [:]
        /// Singular message fields, with the path component their issues are named under
        /// (empty: the parent's path, as an amendment's visit is named `amendments[i].…`).
        var messages: [UInt64: (name: String, shape: Shape)] = [:]
        var others = 32

        /// A cadre, plan, activity or support item: a few scalars and strings.
        static let leaf = Shape()

        static func visit(_ limits: VisitLimits) -> Shape {
            Shape(
                lists: [
                    5: List(name: "cadres", limit: limits.maxCadres, element: .leaf),
                    7: List(name: "activities", limit: limits.maxActivities, element: .leaf),
                    8: List(name: "support", limit: limits.maxSupportItems, element: .leaf),
                ],
                messages: [6: ("plan", .leaf)])
        }

        static func submitVisits(maxVisits: Int, limits: VisitLimits) -> Shape {
            Shape(lists: [1: List(name: "visits", limit: maxVisits, element: .visit(limits))], others: 16)
        }

        static func amendVisits(maxVisits: Int, limits: VisitLimits) -> Shape {
            let amendment = Shape(messages: [1: ("", .visit(limits))])
            return Shape(lists: [1: List(name: "amendments", limit: maxVisits, element: amendment)], others: 16)
        }

        func issue(in bytes: UnsafeRawBufferPointer, path: String) -> FieldIssue? {
            var scanner = Scanner(bytes)
            var counts: [UInt64: Int] = [:]
            var others = 0
            while let field = scanner.next() {
                guard field.number != Scanner.group else {
                    return FieldIssue(field: path.isEmpty ? "request" : String(path.dropLast()), reason: .invalidFormat)
                }
                if let list = lists[field.number], let payload = field.payload {
                    let index = counts[field.number, default: 0]
                    counts[field.number] = index + 1
                    guard index < list.limit else { return FieldIssue(field: path + list.name, reason: .tooMany, limit: list.limit) }
                    let element = UnsafeRawBufferPointer(rebasing: bytes[payload])
                    if let issue = list.element.issue(in: element, path: "\(path)\(list.name)[\(index)].") { return issue }
                } else if let (name, shape) = messages[field.number], let payload = field.payload, counts[field.number] == nil {
                    counts[field.number] = 1
                    let nested = name.isEmpty ? path : "\(path)\(name)."
                    if let issue = shape.issue(in: UnsafeRawBufferPointer(rebasing: bytes[payload]), path: nested) { return issue }
                } else {
                    others += 1
                    guard others <= self.others else {
                        let field = path.hasSuffix(".") ? String(path.dropLast()) : (path.isEmpty ? "request" : path)
                        return FieldIssue(field: field, reason: .tooMany, limit: self.others)
                    }
                }
            }
            return nil
        }
    }

    /// Protobuf's wire format, one field at a time: nil at the end or at anything malformed,
    /// a field numbered `group` for a group.
    struct Scanner {
        /// Above any field number a tag can carry (2^29 − 1).
        static let group = UInt64.max

        let bytes: UnsafeRawBufferPointer
        var index: Int

        init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
            self.index = bytes.startIndex
        }

        /// A field's number and, for a length-delimited one, its payload's range in `bytes`.
        mutating func next() -> (number: UInt64, payload: Range<Int>?)? {
            guard index < bytes.endIndex, let tag = varint() else { return nil }
            let number = tag >> 3
            switch tag & 7 {
            case 0:
                guard varint() != nil else { return nil }
                return (number, nil)
            case 1:
                return skip(8) ? (number, nil) : nil
            case 5:
                return skip(4) ? (number, nil) : nil
            case 2:
                guard let length = varint(), length <= UInt64(bytes.endIndex - index) else { return nil }
                let start = index
                index += Int(length)
                return (number, start..<index)
            case 3, 4:
                index = bytes.endIndex
                return (Self.group, nil)
            default:
                return nil
            }
        }

        private mutating func skip(_ count: Int) -> Bool {
            guard bytes.endIndex - index >= count else { return false }
            index += count
            return true
        }

        private mutating func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.endIndex, shift < 64 {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            return nil
        }
    }
}
