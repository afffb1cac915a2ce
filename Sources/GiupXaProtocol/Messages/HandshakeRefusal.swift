public import GiupXaModels

/// What a server answers when it refuses a HELLO or a v2 handshake (PROTOCOL.md §3.3, §12.2):
/// kept here, beside the frames, so that the test vectors carry the very bytes a server sends.
public enum HandshakeRefusal {
    /// Unknown credential, wrong secret, revoked, another agency's: one answer for all, so a
    /// caller learns nothing about which credentials exist.
    public static func unauthenticated(_ language: Language) -> RPCError {
        RPCError(code: .unauthenticated, message: language.pick(
            vi: "Khoá truy cập không đúng, không thuộc cơ quan này, hoặc đã bị thu hồi",
            en: "Unknown credential, not this agency's, or revoked"))
    }

    /// The credential store did not answer: the client may retry.
    public static func storeUnavailable(_ language: Language) -> RPCError {
        RPCError(code: .unavailable, message: language.pick(
            vi: "Máy chủ tạm thời không kiểm tra được khoá truy cập, vui lòng thử lại",
            en: "The server cannot check credentials right now, please retry"))
    }

    /// The server's disk is full: it cannot record the handshake's counter, nor anything else.
    public static func storageFull(_ language: Language) -> RPCError {
        RPCError(code: .unavailable, message: language.pick(
            vi: "Máy chủ đã hết chỗ lưu trữ nên tạm không nhận kết nối; các chuyến công tác vẫn ở trên máy của bạn. Hãy báo cho quản trị viên máy chủ.",
            en: "The server's storage is full, so it takes no connections for now; the visits stay on your device. Tell the server's operator."))
    }

    /// A v2 message 1 that does not decrypt (wrong server key in the credential, damaged data):
    /// the HELLO and its language are unreadable, so both languages, in clear (§12.2).
    public static let handshakeFailed = RPCError(
        code: .unauthenticated,
        message: "Bắt tay bảo mật thất bại: khoá máy chủ trong khoá truy cập không đúng hoặc dữ liệu hỏng / "
            + "Secure handshake failed: wrong server key in the credential, or damaged data")

    /// A v2 handshake whose counter is not above the credential's last one (§12.4): GOAWAY
    /// ABORTED carrying the floor, inside message 2, so an honest client retries at once.
    public static func staleCounter(floor: UInt64, language: Language) -> Frame {
        let status = RPCError(code: .aborted, message: language.pick(
            vi: "Bắt tay bị từ chối: bộ đếm chống phát lại phải lớn hơn \(floor); thiết bị sẽ tự thử lại",
            en: "Handshake refused: the anti-replay counter must be above \(floor); the device retries by itself")).status
        return MessageCodec.goAway(status: status, lastCallID: 0, handshakeCounterFloor: floor)
    }
}
