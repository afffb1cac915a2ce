public import GiupXaModels
public import Logging

/// What a method handler knows about its caller: the authenticated agency and the language
/// its messages must be in.
public struct CallContext: Sendable {
    public var agency: Agency
    public var language: Language
    public var logger: Logger
}
