import ArgumentParser
import Foundation
import GiupXaClient
import GiupXaModels
import GiupXaProtocol

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show or change the server address and the agency credential.",
        subcommands: [Set.self, Show.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Store settings (only those given change).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Server address, host:port.") var server: String?
        @Option(help: "Agency code, e.g. STNMT.") var agency: String?
        @Option(help: "Credential issued by the operator (gx2_…, 90 characters).") var secret: String?
        @Option(help: "Connection security: secured (default, protocol v2) or plaintext (v1, unencrypted: loopback and diagnostics only).")
        var transport: TransportChoice?
        @Option(name: .customLong("language"), help: "Default language for this client: vi or en.") var language: Language?

        func validate() throws {
            if let server, ClientConfiguration.parseAddress(server) == nil {
                throw ArgumentParser.ValidationError("--server must be host:port, e.g. 10.0.0.5:7070")
            }
            if let agency, !Agency.isValidCode(agency.uppercased()) {
                throw ArgumentParser.ValidationError("--agency must be 2–16 letters, digits or _")
            }
            if let secret, SecureCredential(parsing: secret) == nil {
                throw ArgumentParser.ValidationError(
                    "--secret must be the credential exactly as issued: gx2_ followed by 86 characters / khoá phải chép nguyên văn: gx2_ và 86 ký tự")
            }
        }

        func run() async throws {
            let home = global.clientHome
            var output = global.output()
            do {
                var config = try home.loadConfiguration()
                if let server { config.server = server }
                if let agency { config.agencyCode = agency.uppercased() }
                if let secret { config.secret = secret }
                if let language { config.language = language }
                if let transport { config.plaintext = transport == .plaintext ? true : nil }
                try home.saveConfiguration(config)
                output = global.output(configured: config.language)
                output.emit(ConfigView(config)) {
                    output.pick(vi: "Đã lưu cấu hình tại \(home.directory.path)", en: "Configuration saved in \(home.directory.path)")
                }
            } catch {
                throw output.fail(error)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the settings (the secret is masked).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let home = global.clientHome
            do {
                let config = try home.loadConfiguration()
                let output = global.output(configured: config.language)
                let view = ConfigView(config)
                output.emit(view) {
                    let none = output.pick(vi: "(chưa đặt)", en: "(not set)")
                    return """
                        \(output.pick(vi: "Máy chủ", en: "Server")): \(view.server ?? none)
                        \(output.pick(vi: "Cơ quan", en: "Agency")): \(view.agency ?? none)
                        \(output.pick(vi: "Khoá truy cập", en: "Credential")): \(view.secret ?? none)
                        \(output.pick(vi: "Thư mục", en: "Directory")): \(home.directory.path)
                        """
                }
            } catch {
                throw global.output().fail(error)
            }
        }
    }
}

/// The configuration as shown to people: never the whole secret.
struct ConfigView: Encodable {
    var server: String?
    var agency: String?
    var secret: String?
    var language: String?

    init(_ config: ClientConfiguration) {
        server = config.server
        agency = config.agencyCode
        secret = config.secret.map { String($0.prefix(8)) + "…" }
        language = config.language?.rawValue
    }
}

enum TransportChoice: String, ExpressibleByArgument, CaseIterable {
    case secured, plaintext
}
