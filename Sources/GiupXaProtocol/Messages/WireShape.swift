public import GiupXaModels
public import NIOCore

/// Counts the repeated fields of a SubmitVisits or AmendVisits request on the wire, before it
/// is decoded, so a batch over its limits costs a scan instead of a decode. Decoding first
/// made 16 KB of deflate (8.4 million empty visits in a 16 MiB message) cost 1.5 GB of memory:
/// each decoded empty visit is a few hundred bytes where its encoding is 2.
///
/// Only counts: anything malformed is left for the decoder to refuse with its own error.
public enum WireShape {
    /// The first list over its limit in a SubmitVisitsRequest (visits = 1; a Visit's cadres = 5,
    /// activities = 7, support = 8), as the field issue the call is refused with; nil if none.
    public static func submitVisitsIssue(in message: ByteBuffer, maxVisits: Int, limits: VisitLimits) -> FieldIssue? {
        message.withUnsafeReadableBytes { bytes in
            var scanner = Scanner(bytes)
            var visits = 0
            while let field = scanner.next() {
                guard field.number == 1, let payload = field.payload else { continue }
                visits += 1
                if visits > maxVisits { return FieldIssue(field: "visits", reason: .tooMany, limit: maxVisits) }
                if let issue = visitIssue(Scanner(UnsafeRawBufferPointer(rebasing: bytes[payload])), limits: limits) {
                    return issue.prefixed("visits[\(visits - 1)].")
                }
            }
            return nil
        }
    }

    /// The same for an AmendVisitsRequest (amendments = 1, each an Amendment whose visit = 1).
    public static func amendVisitsIssue(in message: ByteBuffer, maxVisits: Int, limits: VisitLimits) -> FieldIssue? {
        message.withUnsafeReadableBytes { bytes in
            var scanner = Scanner(bytes)
            var amendments = 0
            while let field = scanner.next() {
                guard field.number == 1, let payload = field.payload else { continue }
                amendments += 1
                if amendments > maxVisits { return FieldIssue(field: "amendments", reason: .tooMany, limit: maxVisits) }
                let amendment = UnsafeRawBufferPointer(rebasing: bytes[payload])
                var inner = Scanner(amendment)
                while let part = inner.next() {
                    guard part.number == 1, let visit = part.payload else { continue }
                    if let issue = visitIssue(Scanner(UnsafeRawBufferPointer(rebasing: amendment[visit])), limits: limits) {
                        return issue.prefixed("amendments[\(amendments - 1)].")
                    }
                }
            }
            return nil
        }
    }

    private static func visitIssue(_ visit: Scanner, limits: VisitLimits) -> FieldIssue? {
        var scanner = visit
        var cadres = 0, activities = 0, support = 0
        while let field = scanner.next() {
            guard field.payload != nil else { continue }
            switch field.number {
            case 5:
                cadres += 1
                if cadres > limits.maxCadres { return FieldIssue(field: "cadres", reason: .tooMany, limit: limits.maxCadres) }
            case 7:
                activities += 1
                if activities > limits.maxActivities {
                    return FieldIssue(field: "activities", reason: .tooMany, limit: limits.maxActivities)
                }
            case 8:
                support += 1
                if support > limits.maxSupportItems {
                    return FieldIssue(field: "support", reason: .tooMany, limit: limits.maxSupportItems)
                }
            default:
                continue
            }
        }
        return nil
    }

    /// Protobuf's wire format, one field at a time; stops (nil) at the end or at anything
    /// malformed.
    struct Scanner {
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
            default:
                // Groups (3, 4) are not part of proto3; the decoder decides what they mean.
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

extension FieldIssue {
    fileprivate func prefixed(_ prefix: String) -> FieldIssue {
        var copy = self
        copy.field = prefix + field
        return copy
    }
}
