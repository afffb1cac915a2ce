import Crypto
import Foundation
import GiupXaClient
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol

/// The visits every contender sends: STNMT's visits from the data generator, in the dates its
/// communes are assigned by the sample decision `giupxa-server init` loads (17/08/2017–31/12/2020).
/// Each sync gets fresh visit ids (the GiupXa server would otherwise answer ALREADY_STORED),
/// derived from a key naming the run, so a run is reproducible byte for byte.
struct Workload: Sendable {
    /// Resolved and validated like `giupxa visit add --file` does, in file order.
    let base: [Visit]
    /// Where the visits came from, for the report.
    let source: String

    static let agency = "STNMT"

    /// Reads `visits/STNMT.json` written by `Tools/datagen/generate.py`.
    static func load(datagenDirectory: URL, source: String) throws -> Workload {
        let file = datagenDirectory.appendingPathComponent("visits/\(agency).json")
        let inputs = try VisitInput.decodeFile(Data(contentsOf: file))
        var visits: [Visit] = []
        var skipped = 0
        for input in inputs {
            // dd/mm/yyyy HH:mm; the sample decision covers 17/08/2017–31/12/2020.
            let parts = input.start.split(whereSeparator: { $0 == "/" || $0 == " " })
            guard parts.count >= 3, let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]) else {
                skipped += 1
                continue
            }
            let yyyymmdd = year * 10000 + month * 100 + day
            guard (20170817...20201231).contains(yyyymmdd) else {
                skipped += 1
                continue
            }
            do {
                visits.append(try input.resolve(communes: []))
            } catch {
                skipped += 1
            }
        }
        guard !visits.isEmpty else { throw BenchError("no usable \(agency) visits in \(file.path)") }
        return Workload(base: visits, source: "\(source): \(visits.count) \(agency) visits (\(skipped) skipped)")
    }

    /// `count` visits from the `offset`th on (wrapping round, reused with new ids if there are
    /// fewer), with ids derived from `key`, in the order the client's outbox sends them (start
    /// time, then id).
    func visits(count: Int, key: String, offset: Int = 0) -> [Visit] {
        var result: [Visit] = []
        for index in 0..<count {
            var visit = base[(offset + index) % base.count]
            visit.id = Self.uuid("\(key)#\(index)")
            result.append(visit)
        }
        return result.sorted {
            let (a, b) = (Int64($0.start.timeIntervalSince1970), Int64($1.start.timeIntervalSince1970))
            return a != b ? a < b : $0.id.uuidString < $1.id.uuidString
        }
    }

    /// A version-4-shaped UUID from SHA-256 of `key`: random-looking (so it compresses like a
    /// real one) but the same on every run.
    static func uuid(_ key: String) -> UUID {
        var bytes = Array(SHA256.hash(data: Data("giupxa-wire-bench/\(key)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        return bytes.withUnsafeBytes { UUID(uuid: $0.loadUnaligned(as: uuid_t.self)) }
    }

    /// The SubmitVisitsRequest the GiupXa client builds for a batch (SyncEngine does exactly this).
    static func request(_ visits: [Visit]) -> Giupxa_V1_SubmitVisitsRequest {
        var request = Giupxa_V1_SubmitVisitsRequest()
        request.visits = visits.map(Giupxa_V1_Visit.init)
        return request
    }

    /// What the gRPC and HTTP servers answer, shaped like GiupXa's answer to new visits: one
    /// VisitResult per visit, in order, outcome STORED at revision 1. Nothing is stored.
    static func answer(_ request: Giupxa_V1_SubmitVisitsRequest) -> Giupxa_V1_SubmitVisitsResponse {
        var response = Giupxa_V1_SubmitVisitsResponse()
        response.results = request.visits.map { visit in
            var result = Giupxa_V1_VisitResult()
            result.visitID = visit.id
            result.outcome = .stored
            result.revision = 1
            return result
        }
        return response
    }

    /// The batches SyncEngine sends for `count` visits with the default policy: 50 visits per call
    /// in the first window of 4 calls, then doubling (100, 200, capped at 250) per window.
    static func engineBatches(_ visits: [Visit]) -> [[Visit]] {
        let policy = SyncPolicy()
        var batches: [[Visit]] = []
        var size = policy.initialBatchSize
        var rest = visits[...]
        while !rest.isEmpty {
            for _ in 0..<policy.callsInFlight where !rest.isEmpty {
                batches.append(Array(rest.prefix(size)))
                rest = rest.dropFirst(size)
            }
            size = min(size * 2, policy.maxBatchSize)
        }
        return batches
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
