import RetreatScheduling

/// An error from the store: a code a script can act on and one sentence a person can act on.
///
/// Messages never carry a couple's name or contact details.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// Bad input: a date, a range, an option.
        case invalid
        /// No such booking, waitlist entry or blackout.
        case notFound
        /// The slot is taken or not available (exit code 3).
        case conflict
        /// The store has not been initialised (`retreat init`).
        case notInitialized
        /// The file is not a Retreat store, or of a newer schema.
        case incompatible
        /// The file system or SQLite failed.
        case io
    }

    public var code: Code
    public var message: String
    /// Rejections behind a conflict, for `--json` output.
    public var rejections: [RejectionDetail]

    public init(_ code: Code, _ message: String, rejections: [RejectionDetail] = []) {
        self.code = code
        self.message = message
        self.rejections = rejections
    }

    public var description: String { message }
}

extension PracticeSettings {
    /// Throws `StoreError.invalid` naming the practice's resources when `resource` is set and unknown.
    public func requireResource(_ resource: String?) throws(StoreError) {
        if let resource, !resources.contains(resource) {
            throw StoreError(.invalid, "unknown resource \"\(resource)\"; the practice's resources are \(resources.joined(separator: ", "))")
        }
    }
}
