import Foundation
import RetreatScheduling

/// Checks of text and amounts where they enter a use case (the CLI and the server both pass through here),
/// with the validated input types of RetreatScheduling: a bad value is refused with `AppError.badInput`
/// naming the option, never repeating the value.
enum Input {
    /// A display name (couple, source): trimmed, not empty, no control characters or bidi overrides.
    static func name(_ text: String, option: String, maxLength: Int = PlainName.defaultMaxLength) throws(AppError) -> String {
        do { return try PlainName(text, field: option, maxLength: maxLength).value } catch { throw AppError(.badInput, error.message) }
    }

    /// A file path given by staff: no control characters (it is shown and stored as an import's source).
    static func path(_ text: String, option: String) throws(AppError) {
        if TextRules.firstForbidden(in: text) != nil { throw AppError(.badInput, "\(option) holds a control character; rename the file") }
    }

    /// A free-text note: like a name, but may be absent and may hold plain newlines.
    static func note(_ text: String?, option: String) throws(AppError) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        do { return try Note(text, field: option).value } catch { throw AppError(.badInput, error.message) }
    }

    /// RFC 5322 mailboxes, comma separated, stored in their canonical form (`Name <a@x.org>, b@y.org`).
    static func contact(_ text: String?, option: String) throws(AppError) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        do {
            return try Mailbox.list(text, field: option).map(\.description).joined(separator: ", ")
        } catch {
            throw AppError(.badInput, error.message)
        }
    }

    /// An absolute https URL (a video link), stored as checked.
    static func link(_ text: String?, option: String) throws(AppError) -> String? {
        guard let text, !text.isEmpty else { return nil }
        do { return try HTTPSURL(text, field: option).value } catch { throw AppError(.badInput, error.message) }
    }

    /// An amount in cents within Retreat's documented range (0 ... `Money.maximumCents`).
    static func amount(_ cents: Int, option: String) throws(AppError) {
        guard (0...Money.maximumCents).contains(cents) else {
            throw AppError(
                .badInput, "\(option) must be from 0 to \(Money.format(cents: Money.maximumCents, currency: "").trimmingCharacters(in: .whitespaces))")
        }
    }
}
