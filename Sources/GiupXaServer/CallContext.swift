public import GiupXaModels
public import GiupXaProtocol
public import GiupXaStorage
public import Logging

/// What a method handler knows about its caller: who authenticated (an agency or an
/// operator) and the language its messages must be in.
public struct CallContext: Sendable {
    public var principal: Principal
    public var language: Language
    public var logger: Logger
    /// The compression dictionary agreed in the HELLO, if any.
    public var dictionary: CompressionDictionary?
    /// ClientHello.results_by_position: visit results go without their ids (PROTOCOL.md §6.3).
    public var resultsByPosition: Bool
    /// The credential the connection authenticated with; stored with the visits it sends first.
    public var credentialID: Int64?

    public init(
        principal: Principal, language: Language, logger: Logger, dictionary: CompressionDictionary? = nil, resultsByPosition: Bool = false,
        credentialID: Int64? = nil
    ) {
        self.credentialID = credentialID
        self.principal = principal
        self.language = language
        self.logger = logger
        self.dictionary = dictionary
        self.resultsByPosition = resultsByPosition
    }

    /// The calling agency, for agency methods; an operator credential is refused.
    public func requireAgency(_ method: Method) throws(RPCError) -> Agency {
        guard case .agency(let agency) = principal else {
            logger.notice("call refused: agency method with an operator credential", metadata: ["giupxa.method": "\(method)"])
            throw RPCError(code: .permissionDenied, message: language.pick(
                vi: "Phương thức \(method) chỉ dành cho khoá truy cập của cơ quan, không phải của người vận hành",
                en: "\(method) is for agency credentials, not operator credentials"))
        }
        return agency
    }

    /// Rate limits apply per agency (all its connections) or per operator.
    var rateKey: String {
        switch principal {
        case .agency(let agency): agency.code
        case .operator(let name): "operator:" + name
        }
    }
}
