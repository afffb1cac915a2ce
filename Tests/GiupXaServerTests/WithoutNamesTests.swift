import GiupXaClient
import GiupXaMessages
import GiupXaProtocol
import Testing

/// ClientHello.without_names (PROTOCOL.md §3.3): the ServerHello's names only for clients that want them.
@Suite struct WithoutNamesTests {
    @Test func theServerHelloCarriesNamesOnlyWhenWanted() async throws {
        let server = try await TestServer.start()
        defer { server.stop() }
        for withoutNames in [false, true] {
            var hello = GiupXaConnection.hello(agencyCode: "STNMT", security: .plaintext, secret: server.secret, counter: 0, language: "en")
            hello.withoutNames = withoutNames
            let connection = try await GiupXaConnection.connect(host: "127.0.0.1", port: server.port, hello: hello, security: .plaintext)
            let serverHello = try await connection.serverHello()
            await connection.close()
            #expect(serverHello.agencyCode == "STNMT")
            #expect(serverHello.agencyName.isEmpty == withoutNames)
            #expect(serverHello.serverName.isEmpty == withoutNames)
        }
    }
}
