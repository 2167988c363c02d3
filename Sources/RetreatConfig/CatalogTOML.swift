// Reading the module catalog's TOML format into plain values: the catalog is built through the pure
// `ModuleCatalog(modules:customPriorities:)`, so the planner (RetreatAgenda) knows nothing of TOML.
import Foundation
import RetreatAgenda
import RetreatScheduling
internal import TOMLKit

extension ModuleCatalog {
    /// Parses and validates a TOML catalog: an optional top-level `custom_priorities` array and
    /// one `[[module]]` table per module.
    /// - Throws: `AgendaError.catalogSyntax` for malformed TOML, `.invalidModule` naming an unknown
    ///   key or a bad value (a control character in any value names the module and the key), the
    ///   validation errors of `init(modules:customPriorities:)`, and `.incompleteCatalog` when it
    ///   lacks what every intensive needs (`checkComplete()`).
    /// - Parameters:
    ///   - toml: the catalog's text.
    ///   - requireComplete: whether to refuse a catalog that lacks what every intensive needs. A
    ///     catalog a practice stored before this check existed is read with `false`, so the store
    ///     stays usable; planning then says what such a catalog lacks.
    public init(toml: String, requireComplete: Bool = true) throws(AgendaError) {
        // TOML allows CRLF line ends (what Windows editors write); they are read as LF. A lone CR stays refused.
        let parsed = try CatalogParser.parse(toml.replacingOccurrences(of: "\r\n", with: "\n"))
        try self.init(modules: parsed.modules, customPriorities: parsed.customPriorities)
        if requireComplete { try checkComplete() }
    }

    /// Reads a TOML catalog file (UTF-8) and parses it with `init(toml:)`.
    /// - Throws: `AgendaError.unreadableFile` naming the path, or the errors of `init(toml:)`.
    public init(contentsOf url: URL) throws(AgendaError) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadableFile(path: url.path, reason: error.localizedDescription)
        }
        try self.init(toml: text)
    }
}

/// Reads the TOML format into modules (field checks only; `ModuleCatalog.validate` does the rest).
enum CatalogParser {
    static let moduleKeys: Set<String> = [
        "id", "title", "client_title", "minutes", "kind", "priorities", "intensity", "prerequisites",
        "phase", "time_of_day", "repeatable", "flags", "partner", "skills", "atonement", "homework", "min_minutes", "max_minutes", "followed_by",
    ]
    /// The flag words; "opens-day" is the older name of "check-in" and "planForward" of "plan-forward".
    static let flagNames: Set<String> = [
        "calming", "individual", "intake", "plan-forward", "planForward", "check-in", "opens-day", "closes-day", "general", "intimate",
        "touch", "blame-framing", "central", "concludes",
    ]

    static func parse(_ text: String) throws(AgendaError) -> (modules: [AgendaModule], customPriorities: [Priority]) {
        // The parser stops a string at an escaped NUL (the rest of a title would vanish silently), so
        // control characters are looked for in the text itself, before parsing.
        try CatalogText.refuseControlCharacters(text)
        let table: TOMLTable
        do {
            // The TOML parser aborts on some malformed headers and keys: check the shape first.
            try TOMLShape.check(text, file: "the module catalog")
            table = try TOMLTable(string: text)
        } catch let error as InputError {
            throw .catalogSyntax(error.message)
        } catch let error as TOMLParseError {
            throw .catalogSyntax("\(error.description) (line \(error.source.begin.line), column \(error.source.begin.column))")
        } catch {
            throw .catalogSyntax(String(describing: error))
        }
        for key in table.keys where key != "module" && key != "custom_priorities" {
            throw .invalidModule(id: key, reason: "unknown top-level key \"\(key)\"; the catalog has only `custom_priorities` and [[module]] tables.")
        }
        var custom: [Priority] = []
        if let value = table["custom_priorities"] {
            guard let array = value.array else {
                throw .invalidModule(id: "custom_priorities", reason: "custom_priorities must be an array of strings, e.g. [\"blended-family\"].")
            }
            for element in array {
                guard let name = element.string else {
                    throw .invalidModule(id: "custom_priorities", reason: "custom_priorities must contain only strings.")
                }
                custom.append(Priority(name))
            }
        }
        guard let moduleValue = table["module"] else {
            return ([], custom)
        }
        guard let array = moduleValue.array else {
            throw .invalidModule(id: "module", reason: "`module` must be an array of tables; write each module as a [[module]] table.")
        }
        var modules: [AgendaModule] = []
        for (position, element) in array.enumerated() {
            guard let moduleTable = element.table else {
                throw .invalidModule(id: "module #\(position + 1)", reason: "it is not a table; write each module as a [[module]] table.")
            }
            modules.append(try parseModule(moduleTable, position: position))
        }
        return (modules, custom)
    }

    private static func parseModule(_ table: TOMLTable, position: Int) throws(AgendaError) -> AgendaModule {
        let name = table["id"]?.string ?? "module #\(position + 1)"
        func fail(_ reason: String) -> AgendaError { .invalidModule(id: name, reason: reason) }
        for key in table.keys.sorted() where !moduleKeys.contains(key) {
            throw fail("unknown key \"\(key)\"; the known keys are \(moduleKeys.sorted().joined(separator: ", ")).")
        }
        func string(_ key: String, required: Bool, example: String) throws(AgendaError) -> String? {
            guard let value = table[key] else {
                if required { throw fail("`\(key)` is missing; add it, e.g. \(key) = \(example).") }
                return nil
            }
            guard let text = value.string else { throw fail("`\(key)` must be a string, e.g. \(key) = \(example).") }
            return text
        }
        func strings(_ key: String, example: String) throws(AgendaError) -> [String]? {
            guard let value = table[key] else { return nil }
            guard let array = value.array else { throw fail("`\(key)` must be an array of strings, e.g. \(key) = \(example).") }
            var result: [String] = []
            for element in array {
                guard let text = element.string else { throw fail("`\(key)` must contain only strings, e.g. \(key) = \(example).") }
                result.append(text)
            }
            return result
        }
        func integer(_ key: String, required: Bool, example: String) throws(AgendaError) -> Int? {
            guard let value = table[key] else {
                if required { throw fail("`\(key)` is missing; add it, e.g. \(key) = \(example).") }
                return nil
            }
            guard let number = value.int else { throw fail("`\(key)` must be a whole number, e.g. \(key) = \(example).") }
            return number
        }

        guard table["id"]?.string != nil else {
            throw fail("`id` is missing or not a string; add a unique id, e.g. id = \"dialogue-practice\".")
        }
        let title = try string("title", required: true, example: "\"Listening and mirroring\"") ?? ""
        let clientTitle = try string("client_title", required: true, example: "\"Session\"") ?? ""
        let minutes = try integer("minutes", required: true, example: "60") ?? 0
        let minMinutes = try integer("min_minutes", required: false, example: "40")
        let maxMinutes = try integer("max_minutes", required: false, example: "90")
        let followedBy = try strings("followed_by", example: "[\"issue-agreements\"]") ?? []
        let kindText = try string("kind", required: false, example: "\"session\"") ?? "session"
        guard let kind = BlockKind(rawValue: kindText) else {
            throw fail("kind \"\(kindText)\" is unknown; use session, break, lunch or reflection.")
        }
        let priorityNames = try strings("priorities", example: "[\"communication\"]")
        var servesAll = false
        var priorities: [Priority] = []
        if let priorityNames {
            for priorityName in priorityNames {
                if priorityName.trimmingCharacters(in: .whitespaces).lowercased() == "all" {
                    servesAll = true
                } else {
                    priorities.append(Priority(priorityName))
                }
            }
        } else if kind != .session {
            servesAll = true
        }
        let intensity = try integer("intensity", required: false, example: "2") ?? 1
        let prerequisites = try strings("prerequisites", example: "[\"intake-history\"]") ?? []
        let phaseText = try string("phase", required: false, example: "\"core\"") ?? "core"
        guard let phase = Phase(rawValue: phaseText) else {
            throw fail("phase \"\(phaseText)\" is unknown; use opening, core or integration.")
        }
        let timeText = try string("time_of_day", required: false, example: "\"morning\"") ?? "any"
        guard let timeOfDay = TimeOfDay(rawValue: timeText) else {
            throw fail("time_of_day \"\(timeText)\" is unknown; use morning, afternoon or any.")
        }
        var repeatable = kind == .break || kind == .lunch
        if let value = table["repeatable"] {
            guard let flag = value.bool else { throw fail("`repeatable` must be true or false.") }
            repeatable = flag
        }
        let flags = try strings("flags", example: "[\"calming\"]") ?? []
        for flag in flags where !flagNames.contains(flag) {
            throw fail(
                "flag \"\(flag)\" is unknown; use calming, individual, intake, plan-forward, check-in, closes-day, general, central, concludes, intimate, touch or blame-framing."
            )
        }
        let partnerText = try string("partner", required: false, example: "\"A\"")
        var individual: Partner?
        if flags.contains("individual") {
            guard let partnerText, let partner = Partner(rawValue: partnerText.uppercased()) else {
                throw fail("it is flagged individual but `partner` is missing or not \"A\" or \"B\"; say whose time alone it is, e.g. partner = \"A\".")
            }
            individual = partner
        } else if partnerText != nil {
            throw fail("it names a partner but is not flagged individual; add \"individual\" to its flags or remove `partner`.")
        }
        var skills: [Skill] = []
        for word in try strings("skills", example: "[\"listening\", \"mirroring\"]") ?? [] {
            guard let skill = Skill(rawValue: word) else {
                throw fail("skill \"\(word)\" is unknown; use \(Skill.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            skills.append(skill)
        }
        var steps: [AtonementStep] = []
        for word in try strings("atonement", example: "[\"disclosure\", \"questions\"]") ?? [] {
            guard let step = AtonementStep(rawValue: word) else {
                throw fail("atonement step \"\(word)\" is unknown; use \(AtonementStep.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            steps.append(step)
        }
        var homework: Homework?
        if let word = try string("homework", required: false, example: "\"self-soothing\"") {
            guard let value = Homework(rawValue: word) else {
                throw fail("homework \"\(word)\" is unknown; use \(Homework.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            homework = value
        }
        return AgendaModule(
            id: name, staffTitle: title, clientTitle: clientTitle, minutes: minutes, minMinutes: minMinutes, maxMinutes: maxMinutes, kind: kind,
            servesAll: servesAll, priorities: priorities, intensity: intensity, prerequisites: prerequisites,
            phase: phase, timeOfDay: timeOfDay, repeatable: repeatable, calming: flags.contains("calming"),
            intake: flags.contains("intake"),
            planForward: flags.contains("plan-forward") || flags.contains("planForward"),
            checkIn: flags.contains("check-in") || flags.contains("opens-day"), closesDay: flags.contains("closes-day"),
            individual: individual, general: flags.contains("general"), intimate: flags.contains("intimate"),
            touch: flags.contains("touch"), blameFraming: flags.contains("blame-framing"), central: flags.contains("central"),
            concludes: flags.contains("concludes"), followedBy: followedBy,
            skills: skills, atonement: steps, homework: homework
        )
    }
}

/// A look at the catalog's text before it is parsed: every value in the catalog is one line of plain
/// text, so a control character (raw, or written as an escape such as `\u0000` or `\e`) is refused,
/// naming the module and the key.
enum CatalogText {
    static func refuseControlCharacters(_ text: String) throws(AgendaError) {
        guard let (scalar, line) = firstControlCharacter(text) else { return }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let here = line - 1 < lines.count ? lines[line - 1] : ""
        let key = here.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let keyText = here.contains("=") && !key.isEmpty && !key.hasPrefix("#") ? "`\(key)`" : "the text"
        let found = "\(keyText) contains \(TextRules.describe(scalar)) on line \(line)"
        // The module whose table holds that line: the last [[module]] header above it, and its id.
        var header: Int?
        for index in stride(from: min(line - 1, lines.count - 1), through: 0, by: -1) {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[[module]]") {
                header = index
                break
            }
            if trimmed.hasPrefix("[") { break }
        }
        guard let header else {
            throw .invalidModule(
                id: key.isEmpty || !here.contains("=") ? "line \(line)" : key,
                reason: "\(found); every value in the catalog is one line of plain text.")
        }
        var id = "module on line \(header + 1)"
        for index in (header + 1)..<lines.count {
            let trimmed = lines[index].trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") { break }
            let parts = trimmed.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "id" {
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\""), TextRules.firstForbidden(in: value) == nil, !value.contains("\\") {
                    id = String(value.dropFirst().dropLast())
                }
                break
            }
        }
        throw .invalidModule(id: id, reason: "\(found); a title or any other catalog value is one line of plain text.")
    }

    /// The first forbidden scalar (`TextRules.isForbidden`) in a string value, raw or escaped, or raw
    /// outside strings (tabs and line ends aside), with its 1-based line.
    static func firstControlCharacter(_ text: String) -> (Unicode.Scalar, Int)? {
        let scalars = Array(text.unicodeScalars)
        var line = 1
        var i = 0
        func isLayout(_ c: Unicode.Scalar) -> Bool { c == "\n" || c == "\r" || c == "\t" }
        func at(_ k: Int) -> Unicode.Scalar? { k < scalars.count ? scalars[k] : nil }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\n" {
                line += 1
                i += 1
                continue
            }
            if c == "\"" || c == "'" {
                let triple = at(i + 1) == c && at(i + 2) == c
                let basic = c == "\""
                i += triple ? 3 : 1
                // Inside the string until its closing quote(s).
                while i < scalars.count {
                    let d = scalars[i]
                    if d == c && (!triple || (at(i + 1) == c && at(i + 2) == c)) {
                        i += triple ? 3 : 1
                        break
                    }
                    if d == "\n" {
                        line += 1
                        i += 1
                        if !triple { break }
                        continue
                    }
                    if basic && d == "\\" {
                        guard let e = at(i + 1) else { return nil }
                        var value: UInt32?
                        var width = 0
                        switch e {
                        case "u": width = 4
                        case "U": width = 8
                        case "b": value = 0x08
                        case "t": value = 0x09
                        case "n": value = 0x0A
                        case "f": value = 0x0C
                        case "r": value = 0x0D
                        case "e": value = 0x1B
                        default: break
                        }
                        if width > 0 {
                            var hex = ""
                            for k in 0..<width { if let h = at(i + 2 + k) { hex.unicodeScalars.append(h) } }
                            value = UInt32(hex, radix: 16)
                            i += 2 + width
                        } else {
                            if e == "\n" { line += 1 }
                            i += 2
                        }
                        if let value, let scalar = Unicode.Scalar(value), TextRules.isForbidden(scalar) { return (scalar, line) }
                        continue
                    }
                    if TextRules.isForbidden(d) && !(d == "\t") && !(triple && d == "\r") { return (d, line) }
                    i += 1
                }
                continue
            }
            if TextRules.isForbidden(c) && !isLayout(c) { return (c, line) }
            i += 1
        }
        return nil
    }
}
