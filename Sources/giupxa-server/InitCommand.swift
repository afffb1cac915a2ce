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
            let store = try SQLiteStore(path: options.databasePath)
            let summary = try await store.loadDefaultData(sampleDecision: !noSampleDecision)
            let keyPath = key.path(database: options.databasePath)
            _ = try await ServerKey.prepare(store: store, path: keyPath)
            options.emit(summary) {
                options.pick(
                    vi: """
                        Đã khởi tạo \(options.databasePath): \(summary.districts) huyện, \(summary.communes) xã/phường/thị trấn, \
                        \(summary.agencies) cơ quan, quyết định mẫu \(DefaultData.sampleDecision.number) với \(summary.assignments) phân công [dữ liệu mẫu]
                        Khoá máy chủ: \(keyPath) (chỉ chủ sở hữu đọc được; sao lưu riêng, không để cạnh bản sao cơ sở dữ liệu)
                        """,
                    en: """
                        Initialised \(options.databasePath): \(summary.districts) districts, \(summary.communes) communes, \
                        \(summary.agencies) agencies, sample decision \(DefaultData.sampleDecision.number) with \(summary.assignments) assignments [sample data]
                        Server key: \(keyPath) (owner-only; back it up separately, not beside copies of the database)
                        """)
            }
        } catch {
            throw options.fail(error)
        }
    }
}
