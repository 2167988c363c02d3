import Foundation
import RetreatScheduling

/// The MIME and RFC 5322 encodings the message builder needs; all output is 7-bit ASCII with CRLF.
enum MIMEEncoding {
    /// Base64 (RFC 2045 §6.8) in lines of 76 characters, each ending in CRLF.
    static func base64Lines(_ bytes: [UInt8]) -> String {
        let encoded = Data(bytes).base64EncodedString()
        var out = ""
        out.reserveCapacity(encoded.count + encoded.count / 38 + 2)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            out += encoded[index..<end]
            out += "\r\n"
            index = end
        }
        return out
    }

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text whose lines are separated by `"\n"`: hard line breaks
    /// become CRLF, soft breaks (`=` CRLF) keep every line within 76 characters, trailing spaces are encoded,
    /// and a line starting with `.` or `From ` has that first character encoded, so no transport
    /// (SMTP without `-i`, an mbox) can read the line as an end of data or a message separator.
    static func quotedPrintable(_ text: String) -> String {
        var out = ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (lineIndex, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            var column = 0
            for (i, byte) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                func token(atLineStart: Bool) -> String {
                    if byte == UInt8(ascii: "=") || byte < 0x20 || byte > 0x7E { return "=" + hex(byte) }
                    if (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && (isLast || atLineStart) { return "=" + hex(byte) }
                    if atLineStart && byte == UInt8(ascii: ".") { return "=" + hex(byte) }
                    if atLineStart && bytes[i...].starts(with: Array("From ".utf8)) { return "=" + hex(byte) }
                    return String(Character(Unicode.Scalar(byte)))
                }
                var piece = token(atLineStart: column == 0)
                // Keep room for a soft break "=" unless this is the line's last byte.
                if column + piece.count > (isLast ? 76 : 75) {
                    out += "=\r\n"
                    column = 0
                    piece = token(atLineStart: true)
                }
                out += piece
                column += piece.count
            }
            if lineIndex < lines.count - 1 { out += "\r\n" }
        }
        return out + "\r\n"
    }

    /// RFC 2047 `B` encoded-words of UTF-8 `text`, each at most 64 characters (the limit is 75; 64 lets
    /// the first word share a line with `Reply-To: ` within 78) and holding whole characters (never a
    /// split UTF-8 sequence).
    static func encodedWords(_ text: String) -> [String] {
        let maxBytes = 39  // 52 base64 characters + "=?UTF-8?B?" + "?=" = 64
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
            chunk = []
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if bytes.count > maxBytes {
                // A very long grapheme cluster: split between its scalars.
                for scalar in character.unicodeScalars {
                    let scalarBytes = Array(String(scalar).utf8)
                    if chunk.count + scalarBytes.count > maxBytes { flush() }
                    chunk += scalarBytes
                }
                continue
            }
            if chunk.count + bytes.count > maxBytes { flush() }
            chunk += bytes
        }
        flush()
        return words
    }

    /// True when `text` can stand in a header as it is: printable ASCII and nothing a decoder could take
    /// for an encoded-word.
    static func isPlainHeaderText(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E } && !text.contains("=?")
    }

    /// The words of an unstructured header value (a subject): as they are when plain, else encoded-words.
    static func unstructuredWords(_ text: String) -> [String] {
        isPlainHeaderText(text) ? text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) : encodedWords(text)
    }

    /// A mailbox as header words: `Name <a@x.org>`, `"Smith, Jo" <a@x.org>`, or encoded-words then `<a@x.org>`.
    static func mailboxWords(_ mailbox: Mailbox) -> [String] {
        guard let name = mailbox.displayName?.value else { return [mailbox.address.addrSpec] }
        if isPlainHeaderText(name) { return [mailbox.description] }
        return encodedWords(name) + ["<\(mailbox.address.addrSpec)>"]
    }

    /// One header field folded (RFC 5322 §2.2.3) at the spaces between `words` so lines stay within 78
    /// characters where the words allow; never folds before an empty word (no all-space lines).
    static func header(_ name: String, _ words: [String]) -> String {
        var out = name + ":"
        var column = out.count
        for word in words {
            if column + 1 + word.count > 78 && column > name.count + 1 && !word.isEmpty {
                out += "\r\n "
                column = 1
            } else {
                out += " "
                column += 1
            }
            out += word
            column += word.count
        }
        return out + "\r\n"
    }

    /// `Date:` form (RFC 5322 §3.3) in UTC: `Mon, 11 Jan 2027 09:00:00 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        let weekday = days[((c.weekday ?? 1) - 1) % 7]
        let month = months[((c.month ?? 1) - 1) % 12]
        return "\(weekday), \(two(c.day)) \(month) \(c.year ?? 1970) \(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    /// FNV-1a, 64 bits: a stable, dependency-free hash for seeded Message-IDs and boundaries (not for secrets).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    static func hex64(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
