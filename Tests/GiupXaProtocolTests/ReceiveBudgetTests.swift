import GiupXaProtocol
import NIOCore
import Testing

/// Issue 15, finding 2: partial frames are bounded across the server, not only per connection.
@Suite struct ReceiveBudgetTests {
    /// The header of a REQUEST on call 1 whose body is `length` bytes, and `sent` of those bytes.
    static func partialFrame(length: Int, sent: Int) -> ByteBuffer {
        var buffer = ByteBuffer(bytes: [0x10, 0x01])
        Varint.write(UInt32(length), to: &buffer)
        buffer.writeBytes(Array(repeating: 0x41, count: sent))
        return buffer
    }

    @Test func largePartialFramesReserveTheBudgetAndGiveItBack() throws {
        let budget = ReceiveBudget(capacity: 3 << 20, freePerFrame: 64 << 10)
        var a = FrameDecoder(expectPreamble: false, budget: budget)
        var b = FrameDecoder(expectPreamble: false, budget: budget)
        var c = FrameDecoder(expectPreamble: false, budget: budget)
        var small = FrameDecoder(expectPreamble: false, budget: budget)

        var first = Self.partialFrame(length: 1 << 20, sent: 100)
        #expect(try a.decode(buffer: &first) == nil)
        #expect(budget.reserved == 1 << 20)
        // The same frame's later bytes reserve nothing more.
        first.writeBytes(Array(repeating: 0x41, count: 1000))
        #expect(try a.decode(buffer: &first) == nil)
        #expect(budget.reserved == 1 << 20)

        var second = Self.partialFrame(length: 2 << 20, sent: 10)
        #expect(try b.decode(buffer: &second) == nil)
        #expect(budget.reserved == 3 << 20)
        // A third large one does not fit: that connection is refused, the others go on.
        var third = Self.partialFrame(length: 100 << 10, sent: 10)
        #expect(throws: ProtocolViolation.receiveBudgetExhausted(length: 100 << 10)) { try c.decode(buffer: &third) }
        // Small frames never need the budget.
        var tiny = Self.partialFrame(length: 1000, sent: 10)
        #expect(try small.decode(buffer: &tiny) == nil)

        // The first frame completes: its bytes go back.
        first.writeBytes(Array(repeating: 0x41, count: (1 << 20) - 1100))
        guard case .frame(let frame)? = try a.decode(buffer: &first) else { Issue.record("no frame"); return }
        #expect(frame.body.readableBytes == 1 << 20)
        #expect(budget.reserved == 2 << 20)
        // A connection that goes mid-frame gives its reservation back with its decoder.
        b = FrameDecoder(expectPreamble: false, budget: budget)
        #expect(budget.reserved == 0)
        _ = b
    }
}
