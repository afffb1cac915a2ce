import Foundation
import GiupXaClient
import Testing

/// Issue 15, finding 1: the device's outbox (visits that name real people, the anti-replay
/// counter) and its configuration (the credential) are readable by their owner only.
@Suite struct PrivateFilesTests {
    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    @Test func theOutboxAndTheConfigurationAreOwnerOnlyWhateverTheUmask() throws {
        let previous = umask(0)
        defer { umask(previous) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("giupxa-home-\(UUID().uuidString)")
        let home = ClientHome(directory: directory)
        try home.saveConfiguration(ClientConfiguration(server: "127.0.0.1:7070", agencyCode: "STNMT", secret: "gx2_x"))
        let outbox = try home.openOutbox()
        for name in ["config.json", "outbox.sqlite", "outbox.sqlite-wal", "outbox.sqlite-shm"] {
            #expect(try mode(directory.appendingPathComponent(name).path) == 0o600, "\(name)")
        }
        _ = outbox
    }
}
