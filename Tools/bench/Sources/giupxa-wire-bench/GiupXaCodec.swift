import GiupXaModels
import GiupXaProtocol
import SwiftProtobuf

/// GiupXa's own message encoding (PROTOCOL.md §9), for the breakdown of its bytes into message
/// and protocol: the message part exactly as MessageCodec encodes it with the connection's
/// dictionary (dictionary 1, which the client offers and the server holds, extended by the
/// client's history if it has one, §9.5): mode 2, mode 1 or plain, whichever it picks; and
/// requests as the client's connection-long stream sends them.
enum GiupXaCodec {
    static func messageSize(_ message: some SwiftProtobuf.Message, dictionary: CompressionDictionary = .visits1) -> Int {
        // A RESPONSE frame's body is the message part alone; a REQUEST's message part is encoded the same way.
        MessageCodec.response(callID: 1, message: message, dictionary: dictionary).body.readableBytes
    }

    /// A connection's REQUEST message parts as the reference client sends them (RequestCompressor):
    /// in its LZMA2 stream (PROTOCOL.md §9.4) from its threshold, else mode 2.
    final class Requests {
        let dictionary: CompressionDictionary
        private let stream: LZMA2ContextEncoder
        private let threshold: Int

        /// `history`: the visits the client acknowledged before, most recent first (none: a new client).
        init(history: [Visit] = []) {
            let part = AgencyDictionary(newestFirst: history)
            dictionary = part?.extending(.visits1) ?? .visits1
            stream = LZMA2ContextEncoder(dictionary: dictionary)
            threshold = LZMA2Context.threshold(for: dictionary)
        }

        func size(_ message: some SwiftProtobuf.Message) -> Int {
            let plain = MessageCodec.serialize(message)
            guard plain.readableBytes >= threshold, let part = stream.compress(plain) else { return messageSize(message, dictionary: dictionary) }
            return part.readableBytes
        }
    }
}
