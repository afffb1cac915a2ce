import Foundation

/// The readable report.
enum Table {
    static func left(_ value: Any, _ width: Int) -> String {
        let text = "\(value)"
        return text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func right(_ value: Any, _ width: Int) -> String {
        let text = "\(value)"
        return text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    static func render(_ report: Report, counts: [Int], profiles: [String], contenders: [String]) -> String {
        var out: [String] = []
        let m = report.measurements
        out.append("GiupXa wire benchmark (\(report.mode)), \(report.generatedAt)")
        out.append("Visits: \(report.workload); fresh ids for every sync")
        out.append("")
        out.append("(a) Bytes on the wire per sync: TCP payload counted by giupxa-linksim (profile none), both directions,")
        out.append("    connection set-up, authentication and close included. ×GiupXa = total / GiupXa's total in the same row group.")
        out.append("    loop s: the same sync's time on loopback (no shaping): client and server work, e.g. GiupXa's SQLite commit.")
        out.append([left("visits", 6), left("mode", 7), left("conn", 6), left("contender", 18), right("calls", 5), right("up B", 8),
                    right("down B", 8), right("total B", 8), right("×GiupXa", 8), right("loop s", 7)].joined(separator: " "))
        for visits in counts {
            for security in Security.allCases {
                for phase in Phase.allCases {
                    let base = m.find(Targets.giupxa, visits, security, phase)
                    var first = true
                    for name in contenders {
                        guard let row = m.find(name, visits, security, phase) else { continue }
                        let ratio = base.map { String(format: "%.2f", Double(row.total) / Double($0.total)) } ?? "-"
                        out.append([
                            left(first ? "\(visits)" : "", 6), left(first ? security.rawValue : "", 7), left(first ? phase.rawValue : "", 6),
                            left(name, 18), right(row.calls, 5), right(row.bytesUp, 8), right(row.bytesDown, 8), right(row.total, 8), right(ratio, 8),
                            right(String(format: "%.3f", row.seconds), 7),
                        ].joined(separator: " "))
                        first = false
                    }
                }
            }
        }
        out.append("")
        out.append("Compression reference: the plain cold sync's messages (SubmitVisitsRequest as batched by GiupXa's sync, and the answers)")
        out.append([left("visits", 6), right("calls", 5), right("proto B", 8), right("gzip -6", 8), right("defl -9", 8), right("xz -9e", 8),
                    right("answers", 8), right("xz", 6), right("JSON B", 8), right("JSON gz", 8), right("GX msgs", 8), right("GX wire", 8),
                    right("GX prot", 8), right("×xz", 6)].joined(separator: " "))
        for c in report.compression {
            let g = m.find(Targets.giupxa, c.visits, .plain, .cold)
            let messages = c.giupxaRequestMessages + c.giupxaAnswerMessages
            out.append([
                left(c.visits, 6), right(c.calls, 5), right(c.requestBytes, 8), right(c.requestGzip6, 8), right(c.requestDeflate9, 8),
                right(c.requestXz9e, 8), right(c.responseBytes, 8), right(c.responseXz9e, 6), right(c.requestJSONBytes, 8), right(c.requestJSONGzip6, 8),
                right(messages, 8), right(g.map { "\($0.total)" } ?? "-", 8), right(g.map { "\($0.total - messages)" } ?? "-", 8),
                right(g.map { String(format: "%.2f", Double($0.total) / Double(c.xz9eBothWays)) } ?? "-", 6),
            ].joined(separator: " "))
        }
        out.append("    proto B, gzip -6, defl -9 (raw deflate, level 9), xz -9e: the serialized requests, concatenated; answers, xz: the answers.")
        out.append("    JSON B, JSON gz: the HTTP contender's body. GX msgs: GiupXa's message parts, requests + answers, as it sends them (requests of")
        out.append("    12 KiB and more in its LZMA2 stream, §9.4, or of 256 B and more with an agency dictionary, §9.5; the rest in mode 2, dictionary 1,")
        out.append("    extended by the client's history if it has one). GX wire: its plain cold sync's bytes both ways; GX prot = wire - msgs: preamble, HELLOs, frames, metadata.")
        out.append("    ×xz = GX wire / (xz -9e of the requests + xz -9e of the answers).")
        if !profiles.isEmpty {
            out.append("")
            out.append("(b) Wall time per sync in seconds (from starting to connect to the last answer) through giupxa-linksim, and (×floor);")
            out.append("    the median of \(report.timeRuns) runs of each sync.")
            out.append("    floor = 2 RTT (TCP's handshake, then one request and its answer) + GiupXa's bytes up / up bandwidth + bytes down / down bandwidth.")
            var header = [left("profile", 7), left("visits", 6), left("mode", 7), left("conn", 6), right("floor", 6)]
            for name in contenders { header.append(right(name, 18)) }
            out.append(header.joined(separator: " "))
            for profile in profiles {
                for visits in counts {
                    for security in Security.allCases {
                        for phase in Phase.allCases {
                            guard let floor = report.floors.first(where: {
                                $0.profile == profile && $0.visits == visits && $0.security == security && $0.phase == phase
                            }) else { continue }
                            var line = [left(profile, 7), left(visits, 6), left(security.rawValue, 7), left(phase.rawValue, 6),
                                        right(String(format: "%.2f", floor.seconds), 6)]
                            for name in contenders {
                                if let row = m.find(name, visits, security, phase, profile: profile) {
                                    line.append(right(String(format: "%.2f (%.2f)", row.seconds, row.seconds / floor.seconds), 18))
                                } else {
                                    line.append(right("-", 18))
                                }
                            }
                            out.append(line.joined(separator: " "))
                        }
                    }
                }
            }
        }
        out.append("")
        out.append("Targets")
        for target in report.targets {
            out.append("  [\(target.met ? "MET   " : target.knownMiss ? "MISSED, known" : "MISSED")] \(target.description)")
            out.append("           \(target.detail)")
        }
        out.append("")
        out.append("Notes")
        for note in report.notes { out.append("  - \(note)") }
        if let leaf = report.tlsLeafCertificateBytes {
            out.append("  - TLS: self-signed P-256 CA (not sent) and a \(leaf)-byte P-256 leaf certificate: TLS's smallest realistic handshake.")
        }
        return out.joined(separator: "\n")
    }
}

extension Report {
    static let standardNotes = [
        "Bytes are TCP payload through giupxa-linksim (no IP/TCP headers), every contender counted the same way.",
        "GiupXa = the real client's SyncEngine (as `giupxa sync`: batches of 50, up to 4 calls in flight) against the real giupxa-server (SQLite, synchronous=FULL); 'GiupXa 1 call' = one SubmitVisits with every visit.",
        "gRPC = grpc-swift-2 2.4.3 / grpc-swift-nio-transport 2.9.2 (HTTP/2), gzip both ways, 'authorization: Bearer' metadata, 120 s deadline; 'per visit' = one unary call per visit, all in flight at once.",
        "HTTP/JSON = async-http-client 1.37.0 (HTTP/1.1) POST /visits to Hummingbird 2.28.1: protobuf JSON mapping of the same SubmitVisitsRequest, gzip request body, gzip answer when smaller.",
        "The gRPC and HTTP servers answer like GiupXa (one VisitResult per visit, STORED, revision 1) but store nothing; GiupXa's server commits every visit to SQLite before answering.",
        "Secured: GiupXa v2 (Noise IKpsk2 over X25519, the default); gRPC over TLS 1.3 and HTTPS (TLS 1.3) with swift-nio-ssl (BoringSSL). As shipped, swift-nio-ssl offers X25519MLKEM768 (post-quantum hybrid) first: rows without a suffix. Rows 'X25519' limit TLS to X25519, like Noise: the like-for-like comparison.",
        "swift-nio-ssl has no TLS session resumption, so a repeat TLS connection costs a full handshake, as a cold one does; TLS 1.3 resumption would save the Certificate and CertificateVerify messages but not the round trip.",
        "cold = the client's first connection; repeat = a second connection by the same client, with the workload's next visits (state kept: GiupXa's outbox, handshake counter and acknowledged visits; gRPC and HTTP clients have none to keep).",
    ]
}
