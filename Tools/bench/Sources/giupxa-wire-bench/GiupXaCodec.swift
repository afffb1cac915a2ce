import GiupXaProtocol
import SwiftProtobuf

/// GiupXa's own message encoding (PROTOCOL.md §9), for the breakdown of its bytes into message
/// and protocol: the message part exactly as MessageCodec encodes it with dictionary 1 (which
/// the client offers and the server holds): mode 2, mode 1 or plain, whichever it picks.
enum GiupXaCodec {
    static func messageSize(_ message: some SwiftProtobuf.Message) -> Int {
        // A RESPONSE frame's body is the message part alone; a REQUEST's message part is encoded the same way.
        MessageCodec.response(callID: 1, message: message, dictionary: .visits1).body.readableBytes
    }
}
