import ArgumentParser
import Foundation
import RetreatApp
import RetreatScheduling

extension RetreatCommand {
    struct Notify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send the queued e-mail to couples: invitations, updates, cancellations and reminders.",
            discussion: """
                Each message goes to the mail command on its standard input: $RETREAT_SENDMAIL, else [mail] sendmail of the practice \
                file, else `sendmail -t -i` (msmtp's msmtp-mta provides one). Reminders due now ([mail] reminderHours before each \
                intensive day and counseling session) are queued first, once each. A temporary failure is retried with backoff at a \
                later run; a permanent one is held for staff (`retreat outbox list`, `retreat outbox retry ID`). A run that is \
                killed loses nothing: the next run sends what it left, with the same Message-ID. Run it from cron, e.g. every 5 minutes.
                """)

        @OptionGroup var store: StoreOptions
        @Flag(help: "Show what would go out now; send nothing and change nothing.") var dryRun = false
        @Flag(help: "With --dry-run: print each message (headers, text and calendar) as well.") var show = false
        @Flag(help: "Print JSON.") var json = false

        func validate() throws {
            if show && !dryRun { throw ValidationError("--show goes with --dry-run.") }
        }

        func run() throws {
            let report = try store.service().notify(dryRun: dryRun, previews: show)
            if json {
                try printJSON(NotifyJSON(report, dryRun: dryRun))
                if !report.held.isEmpty || report.stoppedEarly != nil { throw ExitCode(1) }
                return
            }
            if dryRun {
                for entry in report.remindersQueued { Terminal.print("would queue: \(describe(entry))") }
                for entry in report.wouldSend { Terminal.print("would send: \(describe(entry))") }
                for entry in report.held { Terminal.print("would hold: \(describe(entry)): \(entry.lastError ?? "")") }
                for entry in report.dropped { Terminal.print("would drop: \(describe(entry)): \(entry.lastError ?? "")") }
                for entry in report.waiting { Terminal.print("waiting until \(stamp(entry.nextAttemptAt)): \(describe(entry))") }
                for preview in report.previews {
                    Terminal.print("")
                    Terminal.print("---- \(preview.id.map { "#\($0)" } ?? "new reminder") ----")
                    for line in preview.headers { Terminal.print(line) }
                    Terminal.print("")
                    Swift.print(TextRules.terminalSafe(preview.text, keepingNewlines: true))
                    if let calendar = preview.calendar {
                        Terminal.print("")
                        Swift.print(TextRules.terminalSafe(calendar.replacingOccurrences(of: "\r\n", with: "\n"), keepingNewlines: true), terminator: "")
                    }
                }
                Terminal.print(
                    "dry run: \(report.wouldSend.count) message(s) would go out now, \(report.held.count) would be held, \(report.dropped.count) dropped, \(report.waiting.count) wait for a later attempt; nothing was sent"
                )
                return
            }
            for entry in report.remindersQueued { Terminal.print("queued: \(describe(entry))") }
            for entry in report.sent { Terminal.print("sent: \(describe(entry))") }
            for entry in report.sentUnrecorded {
                Terminal.print("sent, but recorded by another notify run that had taken it over: \(describe(entry))")
            }
            for entry in report.retrying {
                Terminal.print("retry at \(stamp(entry.nextAttemptAt)): \(describe(entry)): \(entry.lastError ?? "")")
            }
            for entry in report.held { Terminal.print("held: \(describe(entry)): \(entry.lastError ?? "")") }
            for entry in report.dropped { Terminal.print("dropped: \(describe(entry)): \(entry.lastError ?? "")") }
            if let stopped = report.stoppedEarly { Terminal.print(stopped) }
            let unrecorded = report.sentUnrecorded.isEmpty ? "" : " (\(report.sentUnrecorded.count) of them recorded by another run)"
            Terminal.print(
                "\(report.sent.count + report.sentUnrecorded.count) sent\(unrecorded), \(report.retrying.count) to retry, \(report.held.count) held, \(report.dropped.count) dropped"
            )
            if !report.held.isEmpty || report.stoppedEarly != nil { throw ExitCode(1) }
        }
    }

    struct OutboxGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "outbox", abstract: "The e-mail queued for couples: list it, retry a held message.",
            subcommands: [ListOutbox.self, Retry.self])

        struct ListOutbox: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "Every message with its status (queued, sending, sent, held, dropped); no addresses or text.")
            @OptionGroup var store: StoreOptions
            @Option(help: "Only this status (repeatable): queued, sending, sent, held, dropped.", transform: Parse.outboxStatus)
            var status: [OutboxStatus] = []
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let entries = try store.service().outbox(statuses: Set(status))
                if json { return try printJSON(entries) }
                for entry in entries {
                    var line = "#\(entry.id)  \(entry.status.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0))  \(describe(entry))"
                    if let sent = entry.sentAt { line += "  sent \(stamp(sent))" }
                    if let error = entry.lastError, entry.status != .sent { line += "  (\(error))" }
                    Terminal.print(line)
                }
            }
        }

        struct Retry: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Queue a held message again (after fixing the address or the mail command).")
            @OptionGroup var store: StoreOptions
            @Argument(help: "The outbox id (`retreat outbox list`).", transform: Parse.outboxID) var id: Int64

            func run() throws {
                let entry = try store.service().retryOutbox(id: id)
                Terminal.print("queued again: \(describe(entry)); `retreat notify` sends it")
            }
        }
    }
}

/// One outbox message on a line: id, kind, method and SEQUENCE, whose, how many recipients, subject.
func describe(_ entry: OutboxEntry) -> String {
    let what = entry.method.map { "\(entry.kind.rawValue) \($0) SEQUENCE \(entry.sequence ?? 0)" } ?? entry.kind.rawValue
    return "#\(entry.id) \(what) for \(entry.owner) to \(entry.recipientCount) recipient(s): \(entry.subject)"
}

/// Prints the e-mail a change queued for the couple.
func printQueued(_ entries: [OutboxEntry]) {
    guard !entries.isEmpty else { return }
    let what = entries.map { "\($0.method ?? $0.kind.rawValue) (SEQUENCE \($0.sequence ?? 0))" }.joined(separator: ", ")
    Terminal.print("queued for the couple: \(what); `retreat notify` sends it")
}

/// An instant in UTC, to the second.
func stamp(_ date: Date) -> String {
    ISO8601DateFormatter().string(from: date)
}

/// JSON of a notify run.
struct NotifyJSON: Encodable {
    var dryRun: Bool
    var remindersQueued: [OutboxEntry]
    var sent: [OutboxEntry]
    var retrying: [OutboxEntry]
    var held: [OutboxEntry]
    var dropped: [OutboxEntry]
    var sentUnrecorded: [OutboxEntry]
    var wouldSend: [OutboxEntry]?
    var waiting: [OutboxEntry]?
    var stoppedEarly: String?

    init(_ r: NotifyReport, dryRun: Bool) {
        self.dryRun = dryRun
        remindersQueued = r.remindersQueued
        sent = r.sent
        retrying = r.retrying
        held = r.held
        dropped = r.dropped
        sentUnrecorded = r.sentUnrecorded
        wouldSend = dryRun ? r.wouldSend : nil
        waiting = dryRun ? r.waiting : nil
        stoppedEarly = r.stoppedEarly
    }
}
