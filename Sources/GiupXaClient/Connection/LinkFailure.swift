import GiupXaModels
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Why a connection could not be made or broke, as one clause a cadre understands, in the
/// connection's language (the HELLO's): never NIO's nested error description.
enum LinkFailure {
    static func cannotConnect(host: String, port: Int, _ error: any Error, language: Language) -> String {
        language.pick(vi: "không kết nối được tới máy chủ \(host):\(port): ", en: "cannot connect to the server \(host):\(port): ")
            + reason(error, language: language)
    }

    static func broken(_ error: any Error, language: Language) -> String {
        language.pick(vi: "kết nối bị hỏng: ", en: "the connection failed: ") + reason(error, language: language)
    }

    static func unknownHost(_ host: String, language: Language) -> String {
        language.pick(
            vi: "không tìm thấy địa chỉ \(host) (kiểm tra địa chỉ máy chủ trong `giupxa config`, hoặc mạng chưa sẵn sàng)",
            en: "the address \(host) cannot be found (check the server address in `giupxa config`, or the network is not up)")
    }

    static func reason(_ error: any Error, language: Language) -> String {
        var error = error
        if let connection = error as? NIOConnectionError {
            if connection.dnsAError != nil || connection.dnsAAAAError != nil {
                return unknownHost(connection.host, language: language)
            }
            if let first = connection.connectionErrors.first?.error { error = first }
        }
        if let unknown = error as? SocketAddressError.UnknownHost {
            return unknownHost(unknown.host, language: language)
        }
        if case ChannelError.connectTimeout = error {
            return language.pick(vi: "máy chủ không trả lời trong thời gian chờ", en: "the server did not answer in time")
        }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED:
                return language.pick(vi: "máy chủ không nhận kết nối (chưa chạy, hoặc sai cổng)", en: "the server refuses connections (not running, or the wrong port)")
            case ECONNRESET, EPIPE:
                return language.pick(vi: "đường truyền bị ngắt", en: "the link was cut")
            case ETIMEDOUT:
                return language.pick(vi: "hết thời gian chờ, không có phản hồi", en: "timed out with no answer")
            case ENETUNREACH, EHOSTUNREACH, ENETDOWN:
                return language.pick(vi: "không có đường mạng tới máy chủ", en: "no network route to the server")
            default:
                return String(cString: strerror(io.errnoCode))
            }
        }
        return language.pick(vi: "lỗi mạng", en: "network error") + " (\(String(describing: error).prefix(120)))"
    }
}
