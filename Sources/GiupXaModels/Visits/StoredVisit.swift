public import Foundation

/// A visit as the server holds it: the latest revision and when it was committed.
public struct StoredVisit: Sendable, Hashable, Codable {
    public var visit: Visit
    public var revision: Int
    public var receivedAt: Date

    public init(visit: Visit, revision: Int, receivedAt: Date) {
        self.visit = visit
        self.revision = revision
        self.receivedAt = receivedAt
    }
}
