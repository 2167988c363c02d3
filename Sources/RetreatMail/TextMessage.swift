import Foundation
import RetreatScheduling

/// A plain-text e-mail (a reminder): one `text/plain; charset=UTF-8` part, quoted-printable, with the same
/// header rules as `CalendarMessage` (every value encoded, the header block checked line by line).
public struct TextMessage: Sendable, Hashable {
    /// The practice's mailbox; also the Message-ID's domain.
    public var from: Mailbox
    /// The recipients.
    public var to: [Mailbox]
    /// Where replies go, when not `from`.
    public var replyTo: Mailbox?
    /// The subject line.
    public var subject: PlainName
    /// The `Date:` header (written in UTC).
    public var date: Date
    /// The text: lines separated by `"\n"`; no control characters other than the line break.
    public var text: String

    /// Creates a message; nothing is checked until `render`.
    public init(from: Mailbox, to: [Mailbox], replyTo: Mailbox? = nil, subject: PlainName, date: Date, text: String) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.date = date
        self.text = text
    }

    /// Renders the whole RFC 5322 message.
    /// - Parameter seed: makes the Message-ID a function of this text (nil: random).
    /// - Throws: `MailError.invalidMessage` for no recipient or a text with control characters.
    public func render(seed: String? = nil) throws(MailError) -> RenderedMessage {
        guard !to.isEmpty else { throw MailError(.invalidMessage, "the message has no recipient") }
        guard text.utf8.count <= CalendarMessage.maxTextOctets else {
            throw MailError(.invalidMessage, "the plain-text part is longer than \(CalendarMessage.maxTextOctets) octets")
        }
        if let (scalar, position) = TextRules.firstForbidden(in: text, allowingNewline: true) {
            throw MailError(.invalidMessage, "the plain-text part contains \(TextRules.describe(scalar)) at character \(position)")
        }
        let stem = seed.map { "seed:" + $0 } ?? UUID().uuidString
        let messageID =
            "retreat.\(MIMEEncoding.hex64(MIMEEncoding.fnv1a("a|" + stem))).\(MIMEEncoding.hex64(MIMEEncoding.fnv1a("b|" + stem)))@\(from.address.domain)"
        var head = ""
        head += MIMEEncoding.header("From", MIMEEncoding.mailboxWords(from))
        var words: [String] = []
        for (i, mailbox) in to.enumerated() {
            var parts = MIMEEncoding.mailboxWords(mailbox)
            if i < to.count - 1, let last = parts.popLast() { parts.append(last + ",") }
            words += parts
        }
        head += MIMEEncoding.header("To", words)
        if let replyTo { head += MIMEEncoding.header("Reply-To", MIMEEncoding.mailboxWords(replyTo)) }
        head += MIMEEncoding.header("Subject", MIMEEncoding.unstructuredWords(subject.value))
        head += MIMEEncoding.header("Date", [MIMEEncoding.rfc5322Date(date)])
        head += MIMEEncoding.header("Message-ID", ["<\(messageID)>"])
        head += "MIME-Version: 1.0\r\n"
        head += "Content-Type: text/plain; charset=UTF-8\r\n"
        try CalendarMessage.checkHeaderBlock(head)
        let whole = head + "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + MIMEEncoding.quotedPrintable(text)
        guard whole.utf8.allSatisfy({ $0 < 0x80 }) else {
            throw MailError(.invalidMessage, "the rendered message is not 7-bit ASCII")  // unreachable: every part is encoded
        }
        return RenderedMessage(messageID: messageID, recipients: to.map(\.address), calendarUIDs: [], text: whole)
    }
}
