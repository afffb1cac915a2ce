import Foundation

/// The issue's targets, checked against measured numbers. GiupXa here is the real sync
/// (`SyncEngine`, row "GiupXa").
enum Targets {
    static let giupxa = "GiupXa"
    static let grpcBatch = "gRPC batch"
    static let grpcPerVisit = "gRPC per visit"
    static let http = "HTTP/JSON"
    static let grpcBatchX25519 = "gRPC batch X25519"
    static let giupxaOneCall = "GiupXa 1 call"

    /// (a) Bytes. `others` holds the contenders' numbers (this run's, or the reference's in quick mode).
    static func bytes(giupxa ours: [Measurement], others: [Measurement], compression: [CompressionReference]) -> [TargetCheck] {
        var checks: [TargetCheck] = []
        for phase in Phase.allCases {
            for (visits, limit, label) in [(1, [grpcBatch: 1.0 / 3, http: 1.0 / 4], "≤ 1/3 of gRPC's and ≤ 1/4 of HTTP/JSON's"),
                                           (20, [grpcBatch: 0.7, http: 0.7], "≤ 0.7x of gRPC's and of HTTP/JSON's"),
                                           (200, [grpcBatch: 1.0, http: 1.0], "never more than gRPC or HTTP/JSON")] {
                guard let g = ours.find(giupxa, visits, .plain, phase) else { continue }
                checks.append(ratio(
                    id: "a-plain-\(visits)-\(phase.rawValue)",
                    description: "(a) plain, batched, \(visits) visit\(visits == 1 ? "" : "s"), \(phase.rawValue) connection: GiupXa \(label)",
                    giupxa: g, against: limit.sorted(by: { $0.key < $1.key }).map { (others.find($0.key, visits, .plain, phase), $0.value) },
                    reference: compression.first { $0.visits == visits }))
            }
        }
        for phase in Phase.allCases {
            // The same limit for one call carrying all 200 visits: what the sync's batching costs.
            guard let g = ours.find(giupxaOneCall, 200, .plain, phase) else { continue }
            var check = ratio(
                id: "info-a-plain-200-\(phase.rawValue)-one-call",
                description: "(for comparison) plain, 200 visits, \(phase.rawValue): 'GiupXa 1 call' never more than gRPC or HTTP/JSON",
                giupxa: g, against: [grpcBatch, http].map { (others.find($0, 200, .plain, phase), 1.0) }, reference: nil)
            check.detail = check.detail.replacingOccurrences(of: "GiupXa \(g.total) B", with: "GiupXa 1 call \(g.total) B")
            checks.append(check)
        }
        for reference in compression where reference.visits == 200 {
            guard let g = ours.find(giupxa, reference.visits, .plain, .cold) else { continue }
            let limit = 1.15 * Double(reference.xz9eBothWays)
            checks.append(TargetCheck(
                id: "a-xz-200",
                description: "(a) plain, 200 visits: GiupXa within 1.15x of xz -9e over the same serialized messages",
                met: Double(g.total) <= limit,
                detail: "GiupXa \(g.total) B on the wire (\(g.bytesUp) up + \(g.bytesDown) down) = \(fmt(Double(g.total) / Double(reference.xz9eBothWays)))x "
                    + "of xz -9e \(reference.xz9eBothWays) B (requests \(reference.requestXz9e) + answers \(reference.responseXz9e)); limit \(Int(limit)) B. "
                    + "Up alone: \(fmt(Double(g.bytesUp) / Double(reference.requestXz9e)))x of xz -9e of the requests. "
                    + "One raw-deflate -9 stream of all the requests would be \(reference.requestDeflate9) B = \(fmt(Double(reference.requestDeflate9) / Double(reference.requestXz9e)))x of xz -9e (GiupXa's LZMA2 stream, §9.4, is what gets under it)"
                    + (ours.find(giupxaOneCall, 200, .plain, .cold).map { "; 'GiupXa 1 call' sends \($0.total) B = \(fmt(Double($0.total) / Double(reference.xz9eBothWays)))x" } ?? "")))
        }
        if let g = ours.find(giupxa, 1, .secured, .repeat) {
            checks.append(ratio(
                id: "a-secured-1-repeat",
                description: "(a) secured, 1 visit, repeat connection: GiupXa v2 ≤ 1/4 of gRPC over TLS (TLS as shipped: X25519MLKEM768 hybrid)",
                giupxa: g, against: [(others.find(grpcBatch, 1, .secured, .repeat), 0.25)], reference: compression.first { $0.visits == 1 }))
            checks.append(ratio(
                id: "a-secured-1-repeat-x25519",
                description: "(a) secured, 1 visit, repeat connection: GiupXa v2 ≤ 1/4 of gRPC over TLS (like for like: TLS key exchange X25519, as Noise's)",
                giupxa: g, against: [(others.find(grpcBatchX25519, 1, .secured, .repeat), 0.25)], reference: compression.first { $0.visits == 1 }))
        }
        return checks
    }

    /// `reference` (the same visits' message sizes) tells a limit no protocol overhead could meet:
    /// below GiupXa's compressed messages alone, or below xz -9e of the messages.
    private static func ratio(
        id: String, description: String, giupxa g: Measurement, against: [(Measurement?, Double)], reference: CompressionReference?
    ) -> TargetCheck {
        var met = true
        var parts = ["GiupXa \(g.total) B"]
        for (other, limit) in against {
            guard let other else {
                met = false
                parts.append("no reference number")
                continue
            }
            let ok = Double(g.total) <= limit * Double(other.total)
            met = met && ok
            var line = "\(other.contender) \(other.total) B → GiupXa is \(fmt(Double(g.total) / Double(other.total)))x (limit \(fmt(limit))x = \(Int(limit * Double(other.total))) B)"
            if !ok { line += " MISSED" }
            if !ok, let reference {
                let limitBytes = limit * Double(other.total)
                let messages = reference.giupxaRequestMessages + reference.giupxaAnswerMessages
                if Double(messages) > limitBytes {
                    line += ": out of reach of any protocol overhead, GiupXa's compressed messages alone are \(messages) B"
                    line += Double(reference.xz9eBothWays) > limitBytes ? " (xz -9e of them: \(reference.xz9eBothWays) B)" : ""
                } else {
                    line += ": GiupXa's messages are \(messages) B, its protocol \(g.total - messages) B, where the limit leaves \(Int(limitBytes) - messages) B"
                }
            }
            parts.append(line)
        }
        return TargetCheck(id: id, description: description, met: met, detail: parts.joined(separator: "; "))
    }

    /// (b) Time: within 1.2x of the floor in secured mode on a repeat connection, and (when gRPC
    /// was measured) never slower than gRPC, in any mode or connection.
    static func time(_ measurements: [Measurement], floors: [Floor], profiles: [String], counts: [Int], compareGRPC: Bool) -> [TargetCheck] {
        var checks: [TargetCheck] = []
        for profile in profiles {
            for visits in counts {
                if let g = measurements.find(giupxa, visits, .secured, .repeat, profile: profile),
                   let floor = floors.first(where: { $0.profile == profile && $0.visits == visits && $0.security == .secured && $0.phase == .repeat }) {
                    let ratio = g.seconds / floor.seconds
                    checks.append(TargetCheck(
                        id: "b-floor-\(profile)-\(visits)",
                        description: "(b) \(profile), \(visits) visit\(visits == 1 ? "" : "s"), secured, repeat: GiupXa within 1.2x of the floor",
                        met: ratio <= 1.2,
                        detail: "\(fmt(g.seconds)) s vs floor \(fmt(floor.seconds)) s = \(fmt(ratio))x"))
                }
                guard compareGRPC else { continue }
                var slower: [String] = []
                var compared: [String] = []
                for security in Security.allCases {
                    for phase in Phase.allCases {
                        guard let g = measurements.find(giupxa, visits, security, phase, profile: profile) else { continue }
                        for name in [grpcBatch, grpcBatchX25519, grpcPerVisit] {
                            guard let other = measurements.find(name, visits, security, phase, profile: profile) else { continue }
                            var line = "\(security.rawValue)/\(phase.rawValue) \(fmt(g.seconds)) s vs \(name) \(fmt(other.seconds)) s"
                            if g.seconds > other.seconds {
                                // Why: more bytes on this link, or more time at the server (loopback, profile none).
                                let bytes = "\(g.total) vs \(other.total) B"
                                let loop = [measurements.find(giupxa, visits, security, phase), measurements.find(name, visits, security, phase)]
                                let loopback = loop[0].flatMap { a in loop[1].map { b in ", on loopback \(fmt3(a.seconds)) vs \(fmt3(b.seconds)) s" } } ?? ""
                                line += " (\(bytes)\(loopback)"
                                if let oneCall = measurements.find(giupxaOneCall, visits, security, phase, profile: profile) {
                                    line += "; GiupXa 1 call \(fmt(oneCall.seconds)) s"
                                }
                                line += ")"
                                slower.append(line)
                            }
                            if security == .secured && phase == .repeat { compared.append(line) }
                        }
                    }
                }
                checks.append(TargetCheck(
                    id: "b-grpc-\(profile)-\(visits)",
                    description: "(b) \(profile), \(visits) visit\(visits == 1 ? "" : "s"): GiupXa never slower than gRPC (every mode and connection)",
                    met: slower.isEmpty,
                    detail: slower.isEmpty ? compared.joined(separator: "; ") : "slower: " + slower.joined(separator: "; ")))
            }
        }
        return checks
    }

    static func fmt3(_ value: Double) -> String { String(format: "%.3f", value) }

    static func fmt(_ value: Double) -> String {
        value >= 10 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }
}
