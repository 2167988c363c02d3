import Foundation
import RetreatScheduling

/// Checks of text and amounts where they enter a use case (the CLI and the server both pass through here):
/// a bad value is refused with `AppError.badInput` naming the option.
enum Input {
    /// A display name: trimmed, not empty, at most 200 characters, no control characters.
    static func name(_ text: String, option: String) throws(AppError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw AppError(.badInput, "\(option) must not be empty") }
        guard trimmed.count <= 200 else { throw AppError(.badInput, "\(option) is longer than 200 characters") }
        if let bad = trimmed.unicodeScalars.first(where: isForbidden) {
            throw AppError(.badInput, "\(option) contains a control character (U+\(String(bad.value, radix: 16, uppercase: true))); use plain text")
        }
        return trimmed
    }

    /// A free-text note: like a name, but may be absent and may hold plain newlines; at most 2,000 characters.
    static func note(_ text: String?, option: String) throws(AppError) -> String? {
        guard let text else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return nil }
        guard trimmed.count <= 2_000 else { throw AppError(.badInput, "\(option) is longer than 2,000 characters") }
        if let bad = trimmed.unicodeScalars.first(where: { $0 != "\n" && isForbidden($0) }) {
            throw AppError(.badInput, "\(option) contains a control character (U+\(String(bad.value, radix: 16, uppercase: true))); use plain text")
        }
        return trimmed
    }

    /// E-mail addresses, comma separated: each `local@domain` without spaces or control characters.
    static func contact(_ text: String?, option: String) throws(AppError) -> String? {
        guard let text else { return nil }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.allSatisfy(\.isEmpty) { return nil }
        for part in parts {
            let pieces = part.split(separator: "@", omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces[0].isEmpty, pieces[1].contains("."), !pieces[1].hasPrefix("."), !pieces[1].hasSuffix("."),
                part.count <= 254, !part.unicodeScalars.contains(where: { isForbidden($0) || $0 == " " || $0 == "<" || $0 == ">" || $0 == ";" || $0 == ":" })
            else {
                throw AppError(.badInput, "\(option): \(String(reflecting: part)) is not an e-mail address such as name@example.org")
            }
        }
        return parts.joined(separator: ", ")
    }

    /// An amount in cents within Retreat's documented range (0 ... `Money.maximumCents`).
    static func amount(_ cents: Int, option: String) throws(AppError) {
        guard (0...Money.maximumCents).contains(cents) else {
            throw AppError(
                .badInput, "\(option) must be from 0 to \(Money.format(cents: Money.maximumCents, currency: "").trimmingCharacters(in: .whitespaces))")
        }
    }

    /// Control characters (C0, DEL, C1) and the Unicode bidirectional overrides and isolates.
    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value)
    }
}
