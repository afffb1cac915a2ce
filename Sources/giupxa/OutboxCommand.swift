import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaCLISupport
import GiupXaModels
import GiupXaProtocol

struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Carry pending visits without a network.", subcommands: [Export.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write pending visits to a checksummed bundle file for `giupxa-server import-bundle`.",
            discussion: """
                For communes with no signal: take the file to where the operator is. The visits stay \
                pending here; a later sync finds them already stored and marks them sent, never twice.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The bundle file to write.") var file: String

        func run() async throws {
            try await global.run { home, config, output in
                guard let agency = config.agencyCode else { throw ClientError.notConfigured("agency") }
                let visits = try home.openOutbox().entries(state: .pending).map(\.visit)
                guard !visits.isEmpty else {
                    throw CLIError(message: output.pick(vi: "Không có chuyến công tác nào chờ gửi", en: "No pending visits to export"))
                }
                let bytes = VisitBundle.encode(agencyCode: agency, visits: visits.map(Giupxa_V1_Visit.init), clientName: "giupxa/0.1")
                // Write-then-rename: an interrupted export never leaves a half file that looks whole.
                try Data(bytes).write(to: URL(fileURLWithPath: file), options: .atomic)
                struct View: Encodable { var file: String; var visits: Int; var bytes: Int }
                output.emit(View(file: file, visits: visits.count, bytes: bytes.count)) {
                    output.pick(
                        vi: "Đã ghi \(visits.count) chuyến công tác vào \(file) (\(bytes.count) byte)",
                        en: "Wrote \(visits.count) visit(s) to \(file) (\(bytes.count) bytes)")
                }
            }
        }
    }
}
