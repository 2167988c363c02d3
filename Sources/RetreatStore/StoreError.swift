/// An error from the store: a code a script can act on and one sentence a person can act on.
///
/// Messages never carry a couple's name or contact details.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// A request the store cannot carry out as given (a backup target that exists, ...).
        case invalid
        /// No such record.
        case notFound
        /// The database refused a second occupant of a resource-day (exit code 3).
        case conflict
        /// The store has not been initialised (`retreat init`).
        case notInitialized
        /// The file is not a Retreat store, is of a newer schema, or breaks its invariants.
        case incompatible
        /// Another process holds the store too long.
        case busy
        /// The file system or the database failed.
        case io
    }

    /// The kind of failure.
    public var code: Code
    /// One sentence.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
