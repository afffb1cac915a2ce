import ArgumentParser
import Foundation
import GiupXaModels
import GiupXaServer
import GiupXaStorage

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the database and load the Điện Biên data (130 communes of 2017, agencies, a sample decision).")

    @OptionGroup var options: ServerOptions
    @OptionGroup var key: KeyFileOption
    @Flag(help: "Do not load the sample decision 708/QĐ-UBND (you will import the real ones).") var noSampleDecision = false

    func run() async throws {
        do {
            let existed = FileManager.default.fileExists(atPath: options.databasePath)
            let store = try SQLiteStore(path: options.databasePath)
            let summary = try await store.loadDefaultData(sampleDecision: !noSampleDecision)
            let keyPath = key.path(database: options.databasePath)
            _ = try await ServerKey.prepare(store: store, path: keyPath)
            options.emit(summary) {
                let sample = noSampleDecision ? "" : options.pick(
                    vi: ", quyết định mẫu \(DefaultData.sampleDecision.number) với \(summary.assignments) phân công [dữ liệu mẫu]",
                    en: ", sample decision \(DefaultData.sampleDecision.number) with \(summary.assignments) assignments [sample data]")
                let head = existed
                    ? options.pick(
                        vi: "\(options.databasePath) đã có sẵn và được giữ nguyên (chuyến công tác, quyết định, khoá truy cập); danh mục Điện Biên được bổ sung nếu thiếu",
                        en: "\(options.databasePath) already existed and was kept (visits, decisions, credentials); the Điện Biên reference data was completed if needed")
                    : options.pick(vi: "Đã khởi tạo \(options.databasePath)", en: "Initialised \(options.databasePath)")
                return head + options.pick(
                    vi: """
                        : \(summary.districts) huyện, \(summary.communes) xã/phường/thị trấn, \(summary.agencies) cơ quan\(sample)
                        Khoá máy chủ: \(keyPath) (chỉ chủ sở hữu đọc được; sao lưu riêng, không để cạnh bản sao cơ sở dữ liệu)
                        """,
                    en: """
                        : \(summary.districts) districts, \(summary.communes) communes, \(summary.agencies) agencies\(sample)
                        Server key: \(keyPath) (owner-only; back it up separately, not beside copies of the database)
                        """)
            }
        } catch {
            throw options.fail(error)
        }
    }
}
