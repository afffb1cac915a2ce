import Foundation
import GiupXaFuzzHarness
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol
import NIOCore
import SwiftProtobuf
import Testing

/// Replays the kept libFuzzer corpus (Tools/fuzz/corpus/<target>/) through the same code as the
/// fuzz targets, so every input that once reached new code stays covered by `swift test`.
/// Fuzzing itself: Tools/fuzz/run.sh.
@Suite struct FuzzCorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/fuzz/corpus")

    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = corpus.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.map { name in
            (name, Array(try Data(contentsOf: folder.appendingPathComponent(name))))
        }
    }

    static func replay(_ target: String, through harness: ([UInt8]) -> [String]) throws {
        let inputs = try inputs(target)
        #expect(!inputs.isEmpty, "no corpus in \(corpus.path)/\(target)")
        for input in inputs {
            let problems = harness(input.bytes)
            #expect(problems.isEmpty, "\(target)/\(input.name): \(problems.joined(separator: "; "))")
        }
    }

    @Test func frameDecoderCorpus() throws {
        try Self.replay("frame-decoder", through: FuzzHarness.frameDecoder)
    }

    @Test func messageDecoderCorpus() throws {
        try Self.replay("message-decoder", through: FuzzHarness.messageDecoder)
    }

    @Test func contextStreamCorpus() throws {
        try Self.replay("context-stream", through: FuzzHarness.contextStream)
    }

    @Test func bundleCorpus() throws {
        try Self.replay("bundle", through: FuzzHarness.bundle)
    }

    /// Guards against a corpus that only exercises refusals: some inputs must get all the way through.
    @Test func corpusReachesTheSuccessPaths() throws {
        let bundles = try Self.inputs("bundle").compactMap { FuzzHarness.bundleFile($0.bytes) }
            .compactMap { try? VisitBundle.decodeWithoutVerifying($0) }
        #expect(bundles.contains { $0.0.formatVersion == 1 })
        #expect(bundles.contains { $0.0.formatVersion == 2 })
        let requests = try Self.inputs("frame-decoder").filter { input in
            var buffer = ByteBuffer(bytes: input.bytes.dropFirst())
            var decoder = FrameDecoder(expectPreamble: true)
            while let event = try? decoder.decode(buffer: &buffer) {
                if case .frame(let frame) = event, frame.type == .request,
                   let request = try? MessageCodec.openRequest(frame, limits: .default), request.method == .submitVisits {
                    return true
                }
            }
            return false
        }
        #expect(!requests.isEmpty)
        // context-stream needs no such check: its harness sends every input's parts through the
        // matching encoder and decodes them again, so any input with a part reaches a decoder's success path.
    }
}
