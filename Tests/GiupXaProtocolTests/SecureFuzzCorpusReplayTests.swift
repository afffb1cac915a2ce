import Crypto
import Foundation
import GiupXaFuzzHarness
import GiupXaMessages
import GiupXaModels
import GiupXaNoise
import GiupXaProtocol
import NIOCore
import NIOEmbedded
import SwiftProtobuf
import Testing

/// Replays the kept corpora of the secure-handshake and text fuzz targets
/// (Tools/fuzz/corpus/<target>/) through the same code as the targets, so every input that once
/// reached new code stays covered by `swift test`. Fuzzing itself: Tools/fuzz/run.sh.
@Suite struct SecureFuzzCorpusReplayTests {
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

    @Test func secureHandshakeCorpus() throws {
        let inputs = try Self.inputs("secure-handshake")
        #expect(!inputs.isEmpty, "no corpus in \(Self.corpus.path)/secure-handshake")
        var reached: Set<SecureHarness.Reach> = []
        for input in inputs {
            let outcome = SecureHarness.secureHandshakeOutcome(input.bytes)
            #expect(outcome.problems.isEmpty, "secure-handshake/\(input.name): \(outcome.problems.joined(separator: "; "))")
            reached.insert(outcome.reach)
        }
        // Guards against a corpus that only exercises refusals: some inputs must get through the
        // handshake and have their records read, and each refusal must be reached too.
        for reach in [SecureHarness.Reach.refusedInClear, .earlyBytesRefused, .unauthenticatedGoAway, .records, .corruptRecordClosed] {
            #expect(reached.contains(reach), "no kept input reaches \(reach)")
        }
    }

    @Test func textCorpus() throws {
        let inputs = try Self.inputs("text")
        #expect(!inputs.isEmpty, "no corpus in \(Self.corpus.path)/text")
        var accepted = 0
        var refused = 0
        for input in inputs {
            let outcome = SecureHarness.textOutcome(input.bytes)
            #expect(outcome.problems.isEmpty, "text/\(input.name): \(outcome.problems.joined(separator: "; "))")
            if outcome.issues == 0 && outcome.acceptedNonASCII > 0 { accepted += 1 }
            if outcome.issues > 0 { refused += 1 }
        }
        // Some visits with Vietnamese (non-ASCII) text pass the validator whole, and some do not.
        #expect(accepted > 0 && refused > 0, "\(accepted) inputs accepted with non-ASCII text, \(refused) refused")
    }

    /// The toolchain bug the text harness steps around (`SecureHarness.hitsSupplementaryComposition`):
    /// CoreFoundation's NFC on Linux composes U+20065 (a CJK ideograph) U+0301 into "é", and an
    /// invisible tag U+E0041 with U+0300 into "À", so `VietnameseText.normalize` stores a letter
    /// the input did not hold. When this stops being a known issue, drop the exclusion.
    @Test func toolchainNFCTruncatesScalarsPastTheBMP() {
        withKnownIssue("swift-corelibs-foundation's NFC truncates supplementary scalars to 16 bits when composing") {
            #expect(Array(VietnameseText.normalize("\u{20065}\u{301}").unicodeScalars) == ["\u{20065}", "\u{301}"])
            #expect(Array(VietnameseText.normalize("x\u{E0041}\u{300}").unicodeScalars) == ["x", "\u{E0041}", "\u{300}"])
        }
    }

    /// The harness's own checks catch what they claim to: text that the validator would have to
    /// refuse under either rule set, and a harness-built flight that reads back.
    @Test func harnessChecksBite() {
        #expect(!SecureHarness.checkAccepted("a\u{1}b").isEmpty)
        #expect(!SecureHarness.checkAccepted("e\u{301}").isEmpty, "NFD is not what a field may hold")
        #expect(SecureHarness.checkAccepted("Lò Văn Pâng\nbản Na Sang").isEmpty)
        #expect(SecureHarness.checkText("Mường Nhé").isEmpty)
        // Mode 2, first flight of 20 000 bytes (past message 2: records), two records of 3 bytes.
        let flight: [UInt8] = [2, 0, 4, 0, 5, 0x4E, 0x20, 0, 0, 9, 0, 0, 0] + Array("hello".utf8)
            + [0, 3] + Array("abc".utf8) + [0, 3] + Array("def".utf8)
        let outcome = SecureHarness.secureHandshakeOutcome(flight)
        #expect(outcome.problems.isEmpty, "\(outcome.problems)")
        #expect(outcome.reach == .records)
    }
}
