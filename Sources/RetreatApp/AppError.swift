import Foundation
import RetreatAgenda
import RetreatICal
import RetreatScheduling
import RetreatStore

/// The one error a use case throws: a kind a script can act on, one sentence a person can act on, and, for a
/// refused start date, every reason.
///
/// Messages name dates, ids and options, never a couple's name or contact.
public struct AppError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure, and so which exit code / HTTP status.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A value given for an option is not acceptable (unknown resource, module, priority, ...): exit 64.
        case badInput
        /// The request cannot be carried out in the booking's current state (cancelled, no contact, ...): exit 1.
        case invalid
        /// No such booking, series, entry, file: exit 1.
        case notFound
        /// The dates are taken or not available, or a clinical rule refuses an edit: exit 3.
        case conflict
        /// The store has not been initialised: exit 1.
        case notInitialized
        /// The store or a file cannot be used (foreign, newer, broken): exit 1.
        case incompatible
        /// The file system, the database or a mail transport failed: exit 1.
        case io
    }

    /// The kind.
    public var kind: Kind
    /// One sentence.
    public var message: String
    /// Every reason a start date is refused, for `--json` and the API.
    public var rejections: [RejectionDetail]

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, rejections: [RejectionDetail] = []) {
        self.kind = kind
        self.message = message
        self.rejections = rejections
    }

    /// The message.
    public var description: String { message }

    /// The process exit code the CLI uses for this error.
    public var exitCode: Int32 {
        switch kind {
        case .badInput: return 64
        case .conflict: return 3
        default: return 1
        }
    }

    /// Maps any error a use case meets to an `AppError`.
    static func wrap(_ error: any Error) -> AppError {
        switch error {
        case let e as AppError:
            return e
        case let e as StoreError:
            switch e.code {
            case .conflict: return AppError(.conflict, e.message)
            case .notFound: return AppError(.notFound, e.message)
            case .notInitialized: return AppError(.notInitialized, e.message)
            case .incompatible: return AppError(.incompatible, e.message)
            case .invalid: return AppError(.invalid, e.message)
            case .busy, .io: return AppError(.io, e.message)
            }
        case let e as SchedulingError:
            return AppError(.invalid, e.description)
        case let e as SeriesError:
            switch e {
            case .nonexistentLocalTime, .lengthOutOfRange, .countOutOfRange, .untilBeforeStart, .tooManyOccurrences, .unknownTimeZone, .invalidLink,
                .unknownFrequency, .blankField, .invalidRange, .rangeTooLong:
                return AppError(.badInput, e.description)
            default:
                return AppError(.invalid, e.description)
            }
        case let e as AgendaError:
            return AppError(.invalid, e.description)
        case let e as ICalError:
            return AppError(.invalid, e.description)
        default:
            return AppError(.io, "\(error)")
        }
    }
}
