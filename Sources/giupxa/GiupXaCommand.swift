import ArgumentParser

@main
struct GiupXaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "giupxa",
        abstract: "GiupXa — ghi và gửi báo cáo chuyến công tác giúp xã / record and send commune-help visit reports.",
        discussion: """
            Visits are recorded offline into a local outbox and sent with `giupxa sync` when a link \
            exists. Messages are in Vietnamese by default; use --lang en or LANG=en_US.UTF-8 for English.
            """,
        version: "giupxa 0.3 (GiupXa protocol versions 1–2)",
        subcommands: [ConfigCommand.self, AssignmentsCommand.self, VisitCommand.self, SyncCommand.self, StatusCommand.self, OutboxCommand.self, ReportCommand.self, DoctorCommand.self]
    )
}
