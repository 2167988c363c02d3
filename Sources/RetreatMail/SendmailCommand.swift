import Foundation
import RetreatScheduling

/// The mail command: a program and its arguments, run without a shell.
///
/// The text form (`$RETREAT_SENDMAIL`, `[mail] sendmail`) is split into words like a POSIX shell splits a
/// simple command, and nothing else a shell does happens:
/// - words are separated by spaces or tabs;
/// - `'...'` keeps everything inside as it is;
/// - `"..."` keeps everything inside, where `\"`, `\\`, `\$` and backslash-backquote stand for the character
///   after the backslash (any other backslash is kept);
/// - outside quotes, `\` keeps the next character as it is;
/// - unquoted `| & ; < > ( ) $` and backquote, the glob characters `* ? [`, and a word starting with `~`
///   or `#` are refused, because no shell is there to give them their meaning: write the full path,
///   or quote them, or put a pipeline in a script and name the script.
///
/// Examples: `sendmail -t -i`, `/usr/bin/msmtp -C '/etc/retreat/msmtp rc' -t`,
/// `msmtp --account=practice -t`.
public struct SendmailCommand: Sendable, Hashable, CustomStringConvertible {
    /// The command used when neither the environment nor the practice's settings name one.
    public static let defaultCommand = "sendmail -t -i"
    /// The environment variable that names the command.
    public static let environmentVariable = "RETREAT_SENDMAIL"

    /// The program (a path, or a name looked up on `PATH`) followed by its arguments.
    public let arguments: [String]

    /// The program's word.
    public var program: String { arguments.first ?? "" }

    /// Splits `command` into words (see the type's documentation).
    /// - Throws: `MailError.invalidCommand` for an empty command, an unclosed quote, shell syntax or a control character.
    public init(_ command: String) throws(MailError) {
        arguments = try Self.split(command)
    }

    /// A command from words already split; the first is the program.
    /// - Throws: `MailError.invalidCommand` when there is no word, the program is empty, or a word holds a NUL.
    public init(arguments: [String]) throws(MailError) {
        guard let first = arguments.first, !first.isEmpty else { throw MailError(.invalidCommand, "the mail command is empty") }
        guard !arguments.contains(where: { $0.utf8.contains(0) }) else {
            throw MailError(.invalidCommand, "the mail command has a NUL character in a word")
        }
        self.arguments = arguments
    }

    /// The command to use: `$RETREAT_SENDMAIL` when set and not blank, else `configured` (the practice's
    /// `[mail] sendmail`) when not blank, else `sendmail -t -i`.
    /// - Throws: `MailError.invalidCommand` naming where the unusable command came from.
    public static func resolve(environment: [String: String], configured: String?) throws(MailError) -> SendmailCommand {
        let candidates: [(String?, String)] = [
            (environment[environmentVariable], "$\(environmentVariable)"), (configured, "[mail] sendmail"), (defaultCommand, "the default"),
        ]
        for case let (text?, source) in candidates where !text.allSatisfy({ $0 == " " || $0 == "\t" }) {
            do {
                return try SendmailCommand(text)
            } catch {
                throw MailError(.invalidCommand, "\(source): \(error.message)")
            }
        }
        return try SendmailCommand(defaultCommand)
    }

    /// The words, each quoted where needed so that `init(_:)` gives them back.
    public var description: String {
        arguments.map { word in
            let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
            return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    static func split(_ text: String) throws(MailError) -> [String] {
        if let (scalar, _) = TextRules.firstForbidden(in: text.replacingOccurrences(of: "\t", with: " ")) {
            throw MailError(.invalidCommand, "the mail command contains \(TextRules.describe(scalar))")
        }
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in text {
            if escaped {
                // Inside double quotes a backslash only escapes " \ $ and backquote, as in a shell.
                if quote == "\"" && !"\"\\$`".contains(c) { current.append("\\") }
                current.append(c)
                escaped = false
                continue
            }
            switch quote {
            case "'":
                if c == "'" { quote = nil } else { current.append(c) }
                continue
            case "\"":
                if c == "\"" {
                    quote = nil
                } else if c == "\\" {
                    escaped = true
                } else {
                    current.append(c)
                }
                continue
            default:
                break
            }
            switch c {
            case " ", "\t":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case "'", "\"":
                quote = c
                inWord = true
            case "\\":
                escaped = true
                inWord = true
            case "|", "&", ";", "<", ">", "(", ")", "$", "`", "*", "?", "[":
                throw MailError(
                    .invalidCommand,
                    "the mail command has an unquoted \"\(c)\"; it runs without a shell, so quote it or put the pipeline in a script")
            case "~" where !inWord, "#" where !inWord:
                throw MailError(
                    .invalidCommand, "the mail command has a word starting with \"\(c)\"; it runs without a shell, so write the full path or quote it")
            default:
                current.append(c)
                inWord = true
            }
        }
        if quote != nil { throw MailError(.invalidCommand, "the mail command has an unclosed \(quote == "'" ? "single" : "double") quote") }
        if escaped { throw MailError(.invalidCommand, "the mail command ends with a lone \"\\\"") }
        if inWord { words.append(current) }
        guard let first = words.first, !first.isEmpty else { throw MailError(.invalidCommand, "the mail command is empty") }
        return words
    }
}
