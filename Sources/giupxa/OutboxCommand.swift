import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaFiles
import GiupXaCLISupport
import GiupXaMessages
import GiupXaModels
import GiupXaProtocol

struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "Carry pending visits without a network.", subcommands: [Export.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write pending visits to a signed bundle file for `giupxa-server import-bundle`.",
            discussion: """
                For communes with no signal: take the file to where the operator is. The bundle is \
                signed with this device's credential, so the server stores it as this agency's only if \
                nobody changed it on the way; the file is readable by you only. The visits stay \
                pending here; a later sync finds them already stored and marks them sent, never twice.
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The bundle file to write.") var file: String

        func run() async throws {
            try await global.run { home, config, output in
                guard let agency = config.agencyCode else { throw ClientError.notConfigured("agency") }
                // The bundle is signed with a key derived from the credential (PROTOCOL.md §15).
                guard let secret = config.secret, !secret.isEmpty else { throw ClientError.notConfigured("secret") }
                guard let credential = SecureCredential(parsing: secret) else { throw ClientError.invalidCredential }
                let visits = try home.openOutbox().entries(state: .pending).map(\.visit)
                guard !visits.isEmpty else {
                    throw CLIError(message: output.pick(vi: "Không có chuyến công tác nào chờ gửi", en: "No pending visits to export"))
                }
                let bytes = VisitBundle.encode(
                    agencyCode: agency, visits: visits.map(Giupxa_V1_Visit.init), clientName: "giupxa/0.1", credential: credential)
                // Mode 0600 whatever the umask (the visits name people), written then renamed.
                try PrivateFile.write(bytes, to: file)
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
