/// A value typed by a person (a CLI option, a TOML key, an imported field) that cannot be used.
///
/// The message is one sentence naming the field and what is wrong, e.g.
/// `--contact: entry 2 of 3 has no domain after "@"`. It never repeats the value itself: values are
/// names and contacts of couples, and error messages end up in terminals, logs and the audit trail.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is, for callers that react differently (all are bad input: exit 64).
    public enum Code: String, Hashable, Sendable {
        /// Nothing was given (or only spaces).
        case empty
        /// A control character, a line break or a bidirectional override.
        case forbiddenCharacter
        /// Longer than the limit for this field.
        case tooLong
        /// Not a well-formed e-mail address or mailbox.
        case malformedAddress
        /// Several addresses where one is expected, or a repeated one in a list.
        case multipleAddresses
        /// Not an absolute `https` URL of the accepted form.
        case malformedURL
        /// A configuration text whose structure cannot be read (a malformed TOML table header or key).
        case malformedDocument
    }

    /// The kind of problem.
    public let code: Code
    /// The field as the person knows it (`--contact`, `[mail] from`, `couple name`).
    public let field: String
    /// The whole sentence, starting with the field.
    public let message: String

    /// Creates an error whose message is `"<field>: <problem>"`.
    public init(_ code: Code, field: String, _ problem: String) {
        self.code = code
        self.field = field
        self.message = field.isEmpty ? problem : "\(field): \(problem)"
    }

    /// The message.
    public var description: String { message }
}
