import ArgumentParser
import Foundation
import GiupXaCLISupport
import GiupXaModels
import GiupXaServer
import GiupXaStorage

/// `--agency CODE` or `--operator NAME`: whose credentials a command acts on.
struct CredentialOwnerOptions: ParsableArguments {
    @Option(help: "Agency code (an agency credential).") var agency: String?
    @Option(name: .customLong("operator"), help: "Operator name (an operator credential, for operator methods).") var operatorName: String?

    func owner(required: Bool) throws -> CredentialOwner? {
        switch (agency, operatorName) {
        case (let code?, nil): return .agency(code: code)
        case (nil, let name?): return .operator(name: name)
        case (nil, nil) where !required: return nil
        default: throw ValidationError("give exactly one of --agency CODE or --operator NAME")
        }
    }
}

struct CredentialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credential", abstract: "Issue, rotate, revoke and list agency and operator credentials.",
        subcommands: [Issue.self, Rotate.self, Revoke.self, List.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a credential. It is shown once; the server keeps only a public key derived from it.")
        @OptionGroup var options: ServerOptions
        @OptionGroup var who: CredentialOwnerOptions

        func run() async throws {
            do {
                let issued = try await CredentialIssuer(store: options.openStore()).issue(for: try who.owner(required: true)!, replacing: false)
                CredentialCommand.emit(issued, options: options, rotated: false)
            } catch {
                throw options.fail(error)
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a new credential and revoke all earlier ones of the same owner (a lost or leaked device).")
        @OptionGroup var options: ServerOptions
        @OptionGroup var who: CredentialOwnerOptions

        func run() async throws {
            do {
                let issued = try await CredentialIssuer(store: options.openStore()).issue(for: try who.owner(required: true)!, replacing: true)
                CredentialCommand.emit(issued, options: options, rotated: true)
            } catch {
                throw options.fail(error)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke credentials (all of an owner's, or one by --id); connections using them are refused from now on.")
        @OptionGroup var options: ServerOptions
        @OptionGroup var who: CredentialOwnerOptions
        @Option(help: "Only this credential (see `credential list`).") var id: Int64?

        func run() async throws {
            do {
                let owner = try who.owner(required: true)!
                let store = try options.openStore()
                if let id {
                    // "Revoked 0" would hide a typo: say whose the id is, or that there is none.
                    let all = try await store.credentials(of: nil)
                    guard let credential = all.first(where: { $0.id == id }) else {
                        throw GiupXaModels.ValidationError([FieldIssue(field: "--id", reason: .notFound, value: "\(id)")])
                    }
                    guard credential.owner == owner else {
                        throw GiupXaModels.ValidationError([FieldIssue(field: "--id", reason: .notFound, value: "\(id)", detail: .init(
                            vi: "khoá #\(id) thuộc \(credential.owner.description), không phải \(owner.description); không thu hồi gì",
                            en: "credential #\(id) belongs to \(credential.owner.description), not \(owner.description); nothing revoked"))])
                    }
                    if credential.revokedAt != nil {
                        throw GiupXaModels.ValidationError([FieldIssue(field: "--id", reason: .duplicate, value: "\(id)", detail: .init(
                            vi: "khoá #\(id) đã bị thu hồi từ trước", en: "credential #\(id) was already revoked"))])
                    }
                }
                let count = try await store.revokeCredentials(of: owner, id: id, now: Date())
                struct View: Encodable { var owner: String; var revoked: Int }
                options.emit(View(owner: owner.description, revoked: count)) {
                    let shown = TerminalText.line(owner.description)
                    return options.pick(vi: "Đã thu hồi \(count) khoá của \(shown)", en: "Revoked \(count) credential(s) of \(shown)")
                }
            } catch {
                throw options.fail(error)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List credentials (never their secrets).")
        @OptionGroup var options: ServerOptions
        @OptionGroup var who: CredentialOwnerOptions

        func run() async throws {
            do {
                let credentials = try await options.openStore().credentials(of: try who.owner(required: false))
                options.emit(credentials) {
                    credentials.map { c in
                        let state = c.revokedAt.map { options.pick(vi: "thu hồi ", en: "revoked ") + VietnameseFormat.dateTime($0) }
                            ?? options.pick(vi: "đang dùng", en: "active")
                        return "\(c.id)  \(TerminalText.line(c.owner.description))  \(VietnameseFormat.dateTime(c.issuedAt))  \(state)"
                    }.joined(separator: "\n")
                }
            } catch {
                throw options.fail(error)
            }
        }
    }

    static func emit(_ issued: CredentialIssuer.Issued, options: ServerOptions, rotated: Bool) {
        struct View: Encodable { var owner: String; var id: Int64; var secret: String; var issuedAt: Date }
        let owner = TerminalText.line(issued.info.owner.description)
        let setup: String
        switch issued.info.owner {
        case .agency(let code): setup = "giupxa config set --agency \(code) --secret \(issued.text)"
        case .operator: setup = "giupxa config set --secret \(issued.text)"
        }
        options.emit(View(owner: issued.info.owner.description, id: issued.info.id, secret: issued.text, issuedAt: issued.info.issuedAt)) {
            options.pick(
                vi: (rotated ? "Khoá mới cho \(owner) (các khoá cũ đã bị thu hồi; chỉ hiển thị một lần):" : "Khoá truy cập cho \(owner) (chỉ hiển thị một lần):")
                    + "\n\(issued.text)\nTrên máy sử dụng: \(setup)",
                en: (rotated ? "New credential for \(owner) (earlier ones revoked; shown once):" : "Credential for \(owner) (shown once):")
                    + "\n\(issued.text)\nOn the machine that uses it: \(setup)")
        }
    }
}
