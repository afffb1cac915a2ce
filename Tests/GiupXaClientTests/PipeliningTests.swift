@testable import GiupXaClient
import GiupXaMessages
import GiupXaProtocol
import NIOCore
import NIOEmbedded
import NIOPosix
import Testing

@Suite struct PipeliningTests {
    /// A handler in an EmbeddedChannel, the HELLO promise, and a ListVisits call not yet written.
    static func handlerWithOneCall() throws -> (EmbeddedChannel, EventLoopPromise<Frame>, EventLoopPromise<Frame>, Frame) {
        let channel = EmbeddedChannel()
        let hello = channel.eventLoop.makePromise(of: Frame.self)
        try channel.pipeline.syncOperations.addHandler(ClientCallHandler(helloPromise: hello))
        let answer = channel.eventLoop.makePromise(of: Frame.self)
        let request = MessageCodec.request(callID: 0, method: .listVisits, message: Giupxa_V1_ListVisitsRequest())
        return (channel, hello, answer, request)
    }

    /// The HELLO is written but not flushed; the first call's flush carries both, so the call
    /// leaves without waiting a round trip for the server's HELLO.
    @Test func firstCallLeavesInTheSameFlushAsTheHello() throws {
        let channel = EmbeddedChannel()
        let hello = channel.eventLoop.makePromise(of: Frame.self)
        try channel.pipeline.syncOperations.addHandler(ClientCallHandler(helloPromise: hello))
        var clientHello = Giupxa_V1_ClientHello()
        clientHello.credential.agencyCode = "STNMT"
        channel.write(ClientOutbound.hello(MessageCodec.clientHello(clientHello)), promise: nil)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil, "nothing may leave before the first call")

        let answer = channel.eventLoop.makePromise(of: Frame.self)
        let request = MessageCodec.request(callID: 0, method: .listAssignments, message: Giupxa_V1_ListAssignmentsRequest())
        channel.write(ClientOutbound.call(request, timeout: .seconds(5), promise: answer, flush: true), promise: nil)
        var first = try #require(try channel.readOutbound(as: ByteBuffer.self))
        let second = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(first.readBytes(length: 4) == [0x47, 0x58, 0x01, 0x01])
        #expect(first.getInteger(at: first.readerIndex, as: UInt8.self) == 0x00)  // HELLO
        #expect(second.getInteger(at: second.readerIndex, as: UInt8.self)! >> 4 == FrameType.request.rawValue)
        #expect(second.getInteger(at: second.readerIndex + 1, as: UInt8.self) == 1)  // call id 1

        // The answer is matched to its call by id.
        let response = MessageCodec.response(callID: 1, message: Giupxa_V1_ListAssignmentsResponse())
        try channel.writeInbound(WireEvent.frame(response))
        #expect(try answer.futureResult.wait().type == .response)
        hello.fail(RPCError(code: .cancelled, message: "test over"))
        _ = try channel.finish()
    }

    @Test func aClosedConnectionFailsPendingCallsAsUnavailable() throws {
        let (channel, hello, answer, request) = try Self.handlerWithOneCall()
        channel.write(ClientOutbound.call(request, timeout: .seconds(5), promise: answer, flush: true), promise: nil)
        channel.pipeline.fireChannelInactive()
        #expect(throws: RPCError.self) { try answer.futureResult.wait() }
        do { _ = try answer.futureResult.wait() } catch let error as RPCError { #expect(error.code == .unavailable) }
        #expect(throws: RPCError.self) { try hello.futureResult.wait() }
    }

    @Test func aSilentLinkIsPingedThenGivenUp() throws {
        let (channel, hello, answer, request) = try Self.handlerWithOneCall()
        channel.write(ClientOutbound.call(request, timeout: .seconds(120), promise: answer, flush: true), promise: nil)
        _ = try channel.readOutbound(as: ByteBuffer.self)

        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        let ping = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(ping.getInteger(at: ping.readerIndex, as: UInt8.self)! >> 4 == FrameType.ping.rawValue)
        // Still nothing read: the connection is given up long before the call's deadline.
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        do {
            _ = try answer.futureResult.wait()
            Issue.record("the call should have failed")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
        }
        hello.fail(RPCError(code: .cancelled, message: "test over"))
    }

    @Test func anyByteReadClearsTheKeepalive() throws {
        let (channel, hello, answer, request) = try Self.handlerWithOneCall()
        channel.write(ClientOutbound.call(request, timeout: .seconds(120), promise: answer, flush: true), promise: nil)
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        try channel.writeInbound(WireEvent.frame(Frame(type: .pong, callID: 0, body: ByteBuffer())))
        channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        try channel.writeInbound(WireEvent.frame(MessageCodec.response(callID: 1, message: Giupxa_V1_ListVisitsResponse())))
        #expect(try answer.futureResult.wait().type == .response)
        hello.fail(RPCError(code: .cancelled, message: "test over"))
    }
}
