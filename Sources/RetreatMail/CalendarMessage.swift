import Foundation
import RetreatScheduling

/// The iTIP method of the calendar part (RFC 5546), repeated as the `method` parameter of its
/// `text/calendar` content type as RFC 6047 requires.
public enum CalendarMethod: String, Sendable, Hashable, CaseIterable {
    /// An invitation or an update of one: clients show accept/decline.
    case request = "REQUEST"
    /// A cancellation of a sent event (same UID, higher SEQUENCE).
    case cancel = "CANCEL"
    /// A calendar to import, with nothing to answer.
    case publish = "PUBLISH"
}

/// One iMIP e-mail (RFC 6047): a plain-text part in the couple's words and the calendar part, as
/// `multipart/alternative`, optionally with the same calendar as an `application/ics` attachment for mail
/// clients that ignore the inline part.
///
/// Every value that reaches a header is already a validated type (`Mailbox`, `PlainName`), and `render`
/// checks again that no header line can carry a line break or a control character.
public struct CalendarMessage: Sendable, Hashable {
    /// The practice's mailbox; also the Message-ID's domain.
    public var from: Mailbox
    /// The recipients (one or more): with `sendmail -t` these are also the envelope recipients.
    public var to: [Mailbox]
    /// Where replies go, when not `from`.
    public var replyTo: Mailbox?
    /// The subject line.
    public var subject: PlainName
    /// The `Date:` header (written in UTC).
    public var date: Date
    /// The plain-text part: lines separated by `"\n"`; no control characters other than the line break.
    public var text: String
    /// The iCalendar object (CRLF line endings) whose `METHOD` is `method`.
    public var calendar: String
    /// The calendar's method.
    public var method: CalendarMethod
    /// The file name of an `application/ics` attachment of the same calendar (e.g. `invite.ics`), or nil
    /// for none. Letters, digits, `.`, `-`, `_`, ending in `.ics`.
    public var attachmentName: String?

    /// Creates a message; nothing is checked until `render`.
    public init(
        from: Mailbox, to: [Mailbox], replyTo: Mailbox? = nil, subject: PlainName, date: Date, text: String, calendar: String,
        method: CalendarMethod, attachmentName: String? = nil
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.text = text
        self.calendar = calendar
        self.method = method
        self.attachmentName = attachmentName
    }

    /// The largest plain-text part accepted, in UTF-8 octets.
    public static let maxTextOctets = 256 * 1024
    /// The largest calendar accepted, in UTF-8 octets.
    public static let maxCalendarOctets = 4 * 1024 * 1024

    /// Renders the whole RFC 5322 message.
    /// - Parameter seed: makes the Message-ID and the MIME boundaries a function of this text (an outbox
    ///   row's id, a test's name), so a retried message keeps its Message-ID and golden files stay stable;
    ///   nil draws them at random.
    /// - Throws: `MailError.invalidMessage` naming the part that is unusable: no recipient, a body with
    ///   control characters, a calendar without CRLF line endings, whose METHOD differs from `method`, or
    ///   whose REQUEST/CANCEL carries more than one UID, a bad attachment name.
    public func render(seed: String? = nil) throws(MailError) -> RenderedMessage {
        guard !to.isEmpty else { throw MailError(.invalidMessage, "the message has no recipient") }
        try checkText()
        let uids = try CalendarCheck.check(calendar, method: method)
        if let attachmentName {
            let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
            guard attachmentName.count <= 64, attachmentName.hasSuffix(".ics"), !attachmentName.hasPrefix("."),
                attachmentName.allSatisfy({ allowed.contains($0) })
            else {
                throw MailError(.invalidMessage, "the attachment name must be letters, digits, \".\", \"-\" or \"_\" ending in .ics")
            }
        }

        let stem = seed.map { "seed:" + $0 } ?? UUID().uuidString
        let hashA = MIMEEncoding.hex64(MIMEEncoding.fnv1a("a|" + stem))
        let hashB = MIMEEncoding.hex64(MIMEEncoding.fnv1a("b|" + stem))
        let messageID = "retreat.\(hashA).\(hashB)@\(from.address.domain)"
        let alternative = "=_alt_\(hashA)"
        let mixed = "=_mix_\(hashB)"

        var head = ""
        head += MIMEEncoding.header("From", MIMEEncoding.mailboxWords(from))
        head += MIMEEncoding.header("To", Self.listWords(to))
        if let replyTo { head += MIMEEncoding.header("Reply-To", MIMEEncoding.mailboxWords(replyTo)) }
        head += MIMEEncoding.header("Subject", MIMEEncoding.unstructuredWords(subject.value))
        head += MIMEEncoding.header("Date", [MIMEEncoding.rfc5322Date(date)])
        head += MIMEEncoding.header("Message-ID", ["<\(messageID)>"])
        head += "MIME-Version: 1.0\r\n"

        var alternativeBody = ""
        alternativeBody += "--\(alternative)\r\n"
        alternativeBody += "Content-Type: text/plain; charset=UTF-8\r\n"
        alternativeBody += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        alternativeBody += MIMEEncoding.quotedPrintable(text)
        alternativeBody += "--\(alternative)\r\n"
        alternativeBody += "Content-Type: text/calendar; charset=UTF-8; method=\(method.rawValue)\r\n"
        alternativeBody += "Content-Transfer-Encoding: base64\r\n\r\n"
        alternativeBody += MIMEEncoding.base64Lines(Array(calendar.utf8))
        alternativeBody += "--\(alternative)--\r\n"
        let alternativeType = "Content-Type: multipart/alternative; boundary=\"\(alternative)\"\r\n"

        var body = ""
        if let attachmentName {
            head += "Content-Type: multipart/mixed; boundary=\"\(mixed)\"\r\n"
            body += "--\(mixed)\r\n" + alternativeType + "\r\n" + alternativeBody
            body += "--\(mixed)\r\n"
            body += "Content-Type: application/ics; name=\"\(attachmentName)\"\r\n"
            body += "Content-Disposition: attachment; filename=\"\(attachmentName)\"\r\n"
            body += "Content-Transfer-Encoding: base64\r\n\r\n"
            body += MIMEEncoding.base64Lines(Array(calendar.utf8))
            body += "--\(mixed)--\r\n"
        } else {
            head += alternativeType
            body = alternativeBody
        }
        try Self.checkHeaderBlock(head)
        let whole = head + "\r\n" + body
        guard whole.utf8.allSatisfy({ $0 < 0x80 }) else {
            throw MailError(.invalidMessage, "the rendered message is not 7-bit ASCII")  // unreachable: every part is encoded
        }
        let recipients = to.map(\.address)
        return RenderedMessage(messageID: messageID, recipients: recipients, calendarUIDs: uids, text: whole)
    }

    private func checkText() throws(MailError) {
        guard text.utf8.count <= Self.maxTextOctets else {
            throw MailError(.invalidMessage, "the plain-text part is longer than \(Self.maxTextOctets) octets")
        }
        if let (scalar, position) = TextRules.firstForbidden(in: text, allowingNewline: true) {
            throw MailError(.invalidMessage, "the plain-text part contains \(TextRules.describe(scalar)) at character \(position)")
        }
    }

    /// Mailboxes separated by commas, each mailbox's words kept together where they fit.
    private static func listWords(_ list: [Mailbox]) -> [String] {
        var words: [String] = []
        for (i, mailbox) in list.enumerated() {
            var parts = MIMEEncoding.mailboxWords(mailbox)
            if i < list.count - 1, let last = parts.popLast() { parts.append(last + ",") }
            words += parts
        }
        return words
    }

    /// The last gate: every header line is printable ASCII within 998 octets, and every line but a
    /// field's first starts with a space (a folded continuation), so no value can start a header of its own.
    static func checkHeaderBlock(_ head: String) throws(MailError) {
        guard head.hasSuffix("\r\n") else { throw MailError(.invalidMessage, "the header block does not end in CRLF") }
        let lines = head.dropLast(1).components(separatedBy: "\r\n")  // "\r\n" is one Character
        let names: Set<String> = ["From", "To", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]
        var seen: Set<String> = []
        for line in lines {
            guard !line.isEmpty, line.utf8.count <= 998, line.utf8.allSatisfy({ $0 >= 0x20 && $0 <= 0x7E }) else {
                throw MailError(.invalidMessage, "a header line is empty, too long or holds a control character")
            }
            if line.hasPrefix(" ") {
                guard line.contains(where: { $0 != " " }) else { throw MailError(.invalidMessage, "a header line holds only spaces") }
                continue
            }
            guard let colon = line.firstIndex(of: ":"), names.contains(String(line[..<colon])) else {
                throw MailError(.invalidMessage, "a header line does not start with a known field name")
            }
            guard seen.insert(String(line[..<colon])).inserted else {
                throw MailError(.invalidMessage, "the \(line[..<colon]) header appears twice")
            }
        }
    }
}

/// A message ready for the transport: 7-bit ASCII, CRLF line endings.
public struct RenderedMessage: Sendable, Hashable {
    /// The Message-ID without angle brackets.
    public let messageID: String
    /// The `To:` addresses (what `sendmail -t` delivers to).
    public let recipients: [EmailAddress]
    /// The UIDs of the calendar part's events (one for REQUEST and CANCEL).
    public let calendarUIDs: [String]
    /// The whole message.
    public let text: String

    /// A message rendered earlier (an outbox keeps the text it first rendered, so a retry hands over the very
    /// same bytes).
    public init(messageID: String, recipients: [EmailAddress], calendarUIDs: [String], text: String) {
        self.messageID = messageID
        self.recipients = recipients
        self.calendarUIDs = calendarUIDs
        self.text = text
    }

    /// The message's octets, as the transport writes them.
    public var bytes: [UInt8] { Array(text.utf8) }
}
