import ArgumentParser
import Foundation
import RetreatApp
import RetreatStore

extension FeedKind: ExpressibleByArgument {}
extension APIRole: ExpressibleByArgument {}

/// JSON of a feed as listed (no token: only its digest is stored).
struct FeedJSON: Encodable {
    var id: String
    var kind: String
    var subject: String?
    var createdAt: Date
    var rotatedAt: Date?
    var revokedAt: Date?
    var active: Bool
    var url: String?
    var webcal: String?

    init(_ f: FeedRecord, url: String? = nil) {
        id = f.id
        kind = f.kind.rawValue
        subject = f.subject
        createdAt = f.createdAt
        rotatedAt = f.rotatedAt
        revokedAt = f.revokedAt
        active = f.revokedAt == nil
        self.url = url
        webcal = url.map(ServerOptions.webcalURL)
    }
}

extension RetreatCommand {
    struct FeedsGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "feeds",
            abstract: "Calendar subscription feeds served by `retreat serve`: each URL is a secret capability, revocable and rotatable.",
            discussion: """
                Only a digest of each feed's token is stored: a URL is printed once, when the feed is created or rotated. \
                The base URL is --base-url, else $RETREAT_BASE_URL, else http://127.0.0.1:8080.
                """,
            subcommands: [ListFeeds.self, Create.self, Revoke.self, Rotate.self])

        struct ListFeeds: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List feeds (ids, what they publish, state).")
            @OptionGroup var store: StoreOptions
            @Flag(help: "Print JSON: [{\"id\",\"kind\",\"subject\",\"createdAt\",\"active\",…}].") var json = false

            func run() throws {
                let feeds = try store.service().feeds()
                if json { return try printJSON(feeds.map { FeedJSON($0) }) }
                if feeds.isEmpty { Swift.print("no feeds; create one with `retreat feeds create staff`") }
                let format = ISO8601DateFormatter()
                for f in feeds {
                    let state = f.revokedAt.map { "revoked \(format.string(from: $0))" } ?? "active"
                    Terminal.print("\(f.id)  \(f.kind.rawValue)\(f.subject.map { " \($0)" } ?? "")  created \(format.string(from: f.createdAt))  \(state)")
                }
            }
        }

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create a feed: staff, freebusy, counselor NAME or couple BOOKING-ID; prints its URL once.",
                discussion:
                    "staff: every booking by id and status, no names. freebusy: busy days only. counselor: one resource's intensives, sessions and blackouts. couple: one couple's days and agenda in client wording."
            )
            @OptionGroup var store: StoreOptions
            @Argument(help: "What the feed publishes: staff, freebusy, counselor or couple.") var kind: FeedKind
            @Argument(help: "The counselor (resource) name or the booking id.") var subject: String?
            @Option(help: "The server's public address (default: $RETREAT_BASE_URL, else http://127.0.0.1:8080).") var baseURL: String?
            @Flag(help: "Print JSON: {\"id\",\"url\",\"webcal\",\"kind\",…}.") var json = false

            func validate() throws {
                switch kind {
                case .staff, .freebusy:
                    if subject != nil { throw ValidationError("a \(kind.rawValue) feed takes no name or id.") }
                case .counselor:
                    if Self.isBlank(subject) { throw ValidationError("give the counselor: retreat feeds create counselor NAME.") }
                case .couple:
                    if Self.isBlank(subject) { throw ValidationError("give the booking: retreat feeds create couple ID.") }
                }
            }

            static func isBlank(_ text: String?) -> Bool {
                text?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true
            }

            func run() throws {
                let base = try ServerOptions.resolvedBaseURL(baseURL, environment: ProcessInfo.processInfo.environment)
                let target: FeedTarget
                switch kind {
                case .staff: target = .staff
                case .freebusy: target = .freebusy
                case .counselor: target = .counselor(subject ?? "")
                case .couple: target = .couple(bookingID: subject ?? "")
                }
                let issued = try store.service().createFeed(target)
                try printIssued(issued, base: base, json: json, verb: "created")
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a feed: its URL answers 404 from the next request on.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "Feed id (e.g. F0001).") var id: String
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let feed = try store.service().revokeFeed(id: id)
                if json { return try printJSON(FeedJSON(feed)) }
                Terminal.print("revoked: \(feed.id); its URL no longer works")
            }
        }

        struct Rotate: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Give a feed a new URL: the old one answers 404 at once; subscribers must subscribe to the new one.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "Feed id (e.g. F0001).") var id: String
            @Option(help: "The server's public address (default: $RETREAT_BASE_URL, else http://127.0.0.1:8080).") var baseURL: String?
            @Flag(help: "Print JSON: {\"id\",\"url\",\"webcal\",…}.") var json = false

            func run() throws {
                let base = try ServerOptions.resolvedBaseURL(baseURL, environment: ProcessInfo.processInfo.environment)
                try printIssued(try store.service().rotateFeed(id: id), base: base, json: json, verb: "rotated")
            }
        }
    }
}

/// Prints a feed's new URL (once: only its digest is stored).
func printIssued(_ issued: IssuedFeed, base: String, json: Bool, verb: String) throws {
    let url = ServerOptions.feedURL(base: base, token: issued.token)
    if json { return try printJSON(FeedJSON(issued.feed, url: url)) }
    Terminal.print("\(verb) feed \(issued.feed.id) (\(issued.feed.kind.rawValue)\(issued.feed.subject.map { " \($0)" } ?? ""))")
    Swift.print("  \(ServerOptions.webcalURL(url))")
    Swift.print("  \(url)")
    Swift.print("Anyone with this link can read the calendar; it is shown only now. Revoke it with `retreat feeds revoke \(issued.feed.id)`.")
}
