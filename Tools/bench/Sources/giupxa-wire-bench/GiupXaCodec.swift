import GiupXaProtocol
import SwiftProtobuf

/// GiupXa's own message encoding (PROTOCOL.md §9), for the breakdown of its bytes into message
/// and protocol: the message part exactly as MessageCodec encodes it with dictionary 1 (which
/// the client offers and the server holds): mode 2, mode 1 or plain, whichever it picks; and
/// requests as the client's connection-long stream sends them.
enum GiupXaCodec {
    static func messageSize(_ message: some SwiftProtobuf.Message) -> Int {
        // A RESPONSE frame's body is the message part alone; a REQUEST's message part is encoded the same way.
        MessageCodec.response(callID: 1, message: message, dictionary: .visits1).body.readableBytes
    }

    /// A connection's REQUEST message parts as the reference client sends them (RequestCompressor):
    /// in its LZMA2 stream (PROTOCOL.md §9.4) from LZMA2Context.threshold bytes, else mode 2.
    final class Requests {
        private let stream = LZMA2ContextEncoder(dictionary: .visits1)

        func size(_ message: some SwiftProtobuf.Message) -> Int {
            let plain = MessageCodec.serialize(message)
            guard plain.readableBytes >= LZMA2Context.threshold, let part = stream.compress(plain) else { return messageSize(message) }
            return part.readableBytes
        }
    }
}
