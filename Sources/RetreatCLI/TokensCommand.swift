import ArgumentParser
import Foundation
import RetreatApp
import RetreatStore

/// JSON of an API token as listed (the secret only when just created or rotated).
struct APITokenJSON: Encodable {
    var id: String
    var role: String
    var label: String?
    var createdAt: Date
    var rotatedAt: Date?
    var revokedAt: Date?
    var active: Bool
    var token: String?

    init(_ t: APITokenRecord, token: String? = nil) {
        id = t.id
        role = t.role.rawValue
        label = t.label
        createdAt = t.createdAt
        rotatedAt = t.rotatedAt
        revokedAt = t.revokedAt
        active = t.revokedAt == nil
        self.token = token
    }
}

extension RetreatCommand {
    struct TokensGroup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tokens",
            abstract: "Bearer tokens for the staff API of `retreat serve` (roles staff and read-only); only digests are stored.",
            subcommands: [ListTokens.self, Create.self, Revoke.self, Rotate.self])

        struct ListTokens: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List API tokens (ids, roles, labels, state).")
            @OptionGroup var store: StoreOptions
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let tokens = try store.service().apiTokens()
                if json { return try printJSON(tokens.map { APITokenJSON($0) }) }
                if tokens.isEmpty { Swift.print("no API tokens; create one with `retreat tokens create --role staff`") }
                let format = ISO8601DateFormatter()
                for t in tokens {
                    let state = t.revokedAt.map { "revoked \(format.string(from: $0))" } ?? "active"
                    Terminal.print("\(t.id)  \(t.role.rawValue)  \(t.label ?? "—")  created \(format.string(from: t.createdAt))  \(state)")
                }
            }
        }

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create an API token; prints it once (send it as `Authorization: Bearer TOKEN`).")
            @OptionGroup var store: StoreOptions
            @Option(help: "staff (reads and changes) or read-only.") var role: APIRole
            @Option(help: "Who or what it is for (staff only).") var label: String?
            @Flag(help: "Print JSON: {\"id\",\"token\",\"role\",…}.") var json = false

            func run() throws {
                let issued = try store.service().createAPIToken(role: role, label: label)
                if json { return try printJSON(APITokenJSON(issued.record, token: issued.token)) }
                Terminal.print("created API token \(issued.record.id) (\(issued.record.role.rawValue))")
                Swift.print("  \(issued.token)")
                Swift.print("It is shown only now. Revoke it with `retreat tokens revoke \(issued.record.id)`.")
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke an API token: requests bearing it are refused from the next one on.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "Token id (e.g. T0001).") var id: String
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let record = try store.service().revokeAPIToken(id: id)
                if json { return try printJSON(APITokenJSON(record)) }
                Terminal.print("revoked: \(record.id)")
            }
        }

        struct Rotate: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Replace an API token's secret (same id and role); the old one is refused at once.")
            @OptionGroup var store: StoreOptions
            @Argument(help: "Token id (e.g. T0001).") var id: String
            @Flag(help: "Print JSON: {\"id\",\"token\",…}.") var json = false

            func run() throws {
                let issued = try store.service().rotateAPIToken(id: id)
                if json { return try printJSON(APITokenJSON(issued.record, token: issued.token)) }
                Terminal.print("rotated API token \(issued.record.id) (\(issued.record.role.rawValue))")
                Swift.print("  \(issued.token)")
            }
        }
    }
}
