import Foundation
import GiupXaCLISupport
import GiupXaModels
import Testing

@Suite struct TerminalTextTests {
    @Test func controlsAndInvisiblesBecomeVisibleEscapes() {
        #expect(TerminalText.line("Sở Y tế\u{202E}txt.exe") == "Sở Y tế\\u{202E}txt.exe")
        #expect(TerminalText.line("Lò Văn Minh\n  2019-03-12  SYT  giả") == "Lò Văn Minh\\u{A}  2019-03-12  SYT  giả")
        #expect(TerminalText.line("\u{1B}[2J\u{1B}[Hxoá màn hình") == "\\u{1B}[2J\\u{1B}[Hxoá màn hình")
        #expect(TerminalText.line("a\rb\tc\u{85}d\u{200B}e\u{2028}f\u{E0041}g\u{AD}h")
            == "a\\u{D}b\\u{9}c\\u{85}d\\u{200B}e\\u{2028}f\\u{E0041}g\\u{AD}h")
    }

    @Test func cleanTextIsPrintedAsItIs() {
        for text in ["Mường Nhé", "Sở Tài nguyên và Môi trường", "Rà soát 45 hộ – “đợt 2”…", "👍🏽 tốt", ""] {
            #expect(TerminalText.line(text) == text)
        }
        // Combining marks are not hidden characters: NFD text shows as it is.
        let nfd = "Mường Nhé".decomposedStringWithCanonicalMapping
        #expect(TerminalText.line(nfd).unicodeScalars.elementsEqual(nfd.unicodeScalars))
    }

    /// A block keeps its lines but indents every one, so none can pass for a record line;
    /// CR (which would overwrite the line's start) is still escaped.
    @Test func blocksKeepLineFeedsAndIndentEveryLine() {
        #expect(TerminalText.block("Đã rà soát 45 hộ.\nr2  12/03/2019 08:00  SYT", indent: "    ")
            == "    Đã rà soát 45 hộ.\n    r2  12/03/2019 08:00  SYT")
        #expect(TerminalText.block("xong\r\u{202E}", indent: "  ") == "  xong\\u{D}\\u{202E}")
        #expect(TerminalText.block("") == "")
    }
}
