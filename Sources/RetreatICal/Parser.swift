internal import CLibical
import Foundation

/// What one checked content line is.
enum LineKind {
    /// `BEGIN:NAME`, with the upper-cased component name.
    case begin([UInt8])
    /// `END:NAME`, with the upper-cased component name.
    case end([UInt8])
    /// Any other property line.
    case property
}

/// The checks of RFC 5545 §3.1 that Retreat makes on every content line, in the same pass that unfolds the
/// bytes, so that an error names its line without a second pass over the file: UTF-8, no NUL, `NAME:VALUE`
/// syntax, BEGIN/END balance and nesting depth, real DATE/DATE-TIME values, and RRULEs libical can read.
struct LineChecker {
    let maxDepth: Int
    /// Open components (upper-cased names) with the line each began on.
    private(set) var stack: [(name: [UInt8], line: Int)] = []
    private(set) var sawCalendar = false
    /// UID of the innermost open VEVENT, for messages.
    private var uid: String?
    /// An unreadable RRULE seen in the open component: reported at its END, when the UID is known.
    private var ruleProblem: (line: Int, rule: String, reason: String, component: [UInt8])?

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
    }

    static let begin = Array("BEGIN".utf8), end = Array("END".utf8), vcalendar = Array("VCALENDAR".utf8)
    static let vevent = Array("VEVENT".utf8), uidName = Array("UID".utf8), rrule = Array("RRULE".utf8)
    static let period = Array("VALUE=PERIOD".utf8)
    static let dateProperties: [[UInt8]] = [
        "DTSTART", "DTEND", "DTSTAMP", "DUE", "RECURRENCE-ID", "EXDATE", "RDATE", "CREATED", "LAST-MODIFIED", "COMPLETED",
    ].map { Array($0.utf8) }

    /// Checks one unfolded line (`b[0..<count]`, no line terminator). Returns its kind, and a repaired copy
    /// when Outlook's misplaced quote had to be fixed (`TZID="Zone:20200609T090000"`).
    /// - Throws: `ICalError` naming `line`.
    mutating func check(_ b: UnsafeBufferPointer<UInt8>, line: Int) throws(ICalError) -> (LineKind, repaired: [UInt8]?) {
        let n = b.count
        // UTF-8 and NUL, with an ASCII fast path.
        var i = 0
        while i < n {
            let c = b[i]
            if c >= 0x80 {
                guard let len = Self.utf8SequenceLength(b, at: i) else {
                    throw ICalError(.invalidUTF8, line: line, "the file is not valid UTF-8")
                }
                i += len
                continue
            }
            if c == 0 { throw ICalError(.malformed, line: line, "the file contains a NUL byte") }
            i += 1
        }
        // NAME, then parameters, then `:` and the value.
        var nameEnd = 0
        while nameEnd < n, b[nameEnd] != 59, b[nameEnd] != 58 {
            let c = b[nameEnd]
            let ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45
            if !ok { throw ICalError(.malformed, line: line, "not an iCalendar content line (expected NAME:VALUE)") }
            nameEnd += 1
        }
        guard nameEnd > 0, nameEnd < n else {
            throw ICalError(.malformed, line: line, "not an iCalendar content line (expected NAME:VALUE)")
        }
        var repaired: [UInt8]?
        var colon = Self.valueColon(b, from: nameEnd)
        if colon == nil, let fixed = ContentLines.repairQuotedValue(String(decoding: b, as: UTF8.self)) {
            let bytes = Array(fixed.utf8)
            repaired = bytes
            colon = bytes.withUnsafeBufferPointer { Self.valueColon($0, from: nameEnd) }
        }
        guard let valueColon = colon else {
            throw ICalError(.malformed, line: line, "not an iCalendar content line (expected NAME:VALUE)")
        }
        if let repaired {
            let kind = try repaired.withUnsafeBufferPointer { r throws(ICalError) -> LineKind? in
                try classify(r, nameEnd: nameEnd, valueColon: valueColon, line: line)
            }
            return (kind ?? .property, repaired)
        }
        return (try classify(b, nameEnd: nameEnd, valueColon: valueColon, line: line) ?? .property, nil)
    }

    private mutating func classify(_ b: UnsafeBufferPointer<UInt8>, nameEnd: Int, valueColon: Int, line: Int) throws(ICalError) -> LineKind? {
        let name = UnsafeBufferPointer(rebasing: b[0..<nameEnd])
        let value = UnsafeBufferPointer(rebasing: b[(valueColon + 1)...])
        if Self.equalsUpper(name, Self.begin) || Self.equalsUpper(name, Self.end) {
            var comp = value.map(Self.upper)
            while comp.last == 32 || comp.last == 9 { comp.removeLast() }
            while comp.first == 32 || comp.first == 9 { comp.removeFirst() }
            let compName = String(decoding: comp, as: UTF8.self)
            if Self.equalsUpper(name, Self.begin) {
                if stack.isEmpty && comp != Self.vcalendar {
                    throw ICalError(.malformed, line: line, "BEGIN:\(compName) outside a VCALENDAR")
                }
                if comp == Self.vcalendar { sawCalendar = true }
                stack.append((comp, line))
                if stack.count > maxDepth {
                    throw ICalError(.malformed, line: line, "components nested deeper than \(maxDepth) levels")
                }
                if comp == Self.vevent { uid = nil }
                return .begin(comp)
            }
            guard let open = stack.last else {
                throw ICalError(.malformed, line: line, "END:\(compName) without a matching BEGIN")
            }
            if open.name != comp {
                throw ICalError(
                    .malformed, line: line, "END:\(compName) does not match BEGIN:\(String(decoding: open.name, as: UTF8.self)) on line \(open.line)")
            }
            if let problem = ruleProblem, problem.component == comp {
                let owner =
                    comp == Self.vevent
                    ? "of the event with UID \"\(uid?.prefix(60) ?? "")\" (BEGIN:VEVENT on line \(open.line))"
                    : "in the \(compName) that begins on line \(open.line)"
                throw ICalError(
                    .malformed, line: problem.line,
                    "RRULE \"\(problem.rule.prefix(80))\" \(owner) cannot be read: \(problem.reason); fix or remove that rule")
            }
            stack.removeLast()
            return .end(comp)
        }
        if stack.isEmpty {
            throw ICalError(.malformed, line: line, "\(String(decoding: name, as: UTF8.self).uppercased()) outside a VCALENDAR")
        }
        if Self.dateProperties.contains(where: { Self.equalsUpper(name, $0) }) {
            let params = UnsafeBufferPointer(rebasing: b[nameEnd..<valueColon])
            if !Self.containsUpper(params, Self.period) {
                var start = 0
                for k in 0...value.count where k == value.count || value[k] == 44 {
                    let part = UnsafeBufferPointer(rebasing: value[start..<k])
                    if !Self.isValidDateOrDateTime(part) {
                        throw ICalError(
                            .invalidDate, line: line,
                            "\(String(decoding: name, as: UTF8.self).uppercased()) value \"\(String(decoding: part, as: UTF8.self).prefix(40))\" is not a valid DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS[Z])"
                        )
                    }
                    start = k + 1
                }
            }
        } else if Self.equalsUpper(name, Self.uidName), stack.last?.name == Self.vevent {
            uid = String(decoding: value, as: UTF8.self)
        } else if Self.equalsUpper(name, Self.rrule), ruleProblem == nil, let open = stack.last {
            let rule = String(decoding: value, as: UTF8.self)
            if let reason = RecurrenceRuleCheck.problem(in: rule) {
                ruleProblem = (line, rule, reason, open.name)
            }
        }
        return nil
    }

    /// Called at the end of the input.
    func finish() throws(ICalError) {
        if let open = stack.last {
            let name = String(decoding: open.name, as: UTF8.self)
            throw ICalError(.malformed, line: open.line, "BEGIN:\(name) is never closed (missing END:\(name))")
        }
        if !sawCalendar {
            throw ICalError(.malformed, line: 1, "no BEGIN:VCALENDAR found: this is not an iCalendar file")
        }
    }

    /// True for `YYYYMMDD`, `YYYYMMDDTHHMMSS` or `YYYYMMDDTHHMMSSZ` naming a real date and time.
    static func isValidDateOrDateTime(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        func digits(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                n = n * 10 + Int(b[i] - 48)
            }
            return n
        }
        guard b.count == 8 || b.count == 15 || b.count == 16 else { return false }
        guard let y = digits(0..<4), let m = digits(4..<6), let d = digits(6..<8) else { return false }
        guard (1...12).contains(m), d >= 1, d <= ContentLines.daysIn(month: m, year: y) else { return false }
        if b.count == 8 { return true }
        guard b[8] == UInt8(ascii: "T"), let hh = digits(9..<11), let mm = digits(11..<13), let ss = digits(13..<15)
        else { return false }
        guard hh < 24, mm < 60, ss <= 60 else { return false }
        return b.count == 15 || b[15] == UInt8(ascii: "Z")
    }

    /// Index of the `:` that ends the parameters (not one inside a quoted parameter value).
    static func valueColon(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var quoted = false
        var i = start
        while i < b.count {
            if b[i] == 34 { quoted.toggle() } else if b[i] == 58 && !quoted { return i }
            i += 1
        }
        return nil
    }

    static func upper(_ c: UInt8) -> UInt8 { c >= 97 && c <= 122 ? c - 32 : c }

    static func equalsUpper(_ a: UnsafeBufferPointer<UInt8>, _ upperB: [UInt8]) -> Bool {
        guard a.count == upperB.count else { return false }
        for i in 0..<a.count where upper(a[i]) != upperB[i] { return false }
        return true
    }

    static func containsUpper(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        outer: for start in 0...(haystack.count - needle.count) {
            for k in 0..<needle.count where upper(haystack[start + k]) != needle[k] { continue outer }
            return true
        }
        return false
    }

    /// Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, surrogates or values past U+10FFFF).
    static func utf8SequenceLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        let c = b[i]
        let n = b.count
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool { i + k < n && b[i + k] >= lo && b[i + k] <= hi }
        switch c {
        case 0xC2...0xDF: return cont(1) ? 2 : nil
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : nil
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : nil
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : nil
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : nil
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : nil
        default: return nil
        }
    }
}

/// Strict reading of an RRULE value (RFC 5545 §3.3.10), so that a rule libical would drop silently is refused
/// with a reason instead.
enum RecurrenceRuleCheck {
    static let frequencies: Set<String> = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
    static let weekdays: Set<String> = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]
    static let weekdayOrder = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]

    /// Why the rule cannot be read, or nil when it is well formed.
    static func problem(in rule: String) -> String? {
        var seen = Set<String>()
        var hasFreq = false
        for part in rule.split(separator: ";", omittingEmptySubsequences: false) {
            guard let eq = part.firstIndex(of: "="), eq != part.startIndex else {
                return "\"\(part.prefix(30))\" is not NAME=VALUE"
            }
            let name = part[..<eq].uppercased()
            let value = part[part.index(after: eq)...]
            if !seen.insert(name).inserted { return "\(name) is given twice" }
            let list = value.split(separator: ",", omittingEmptySubsequences: false)
            func numbers(_ range: ClosedRange<Int>, signed: Bool) -> String? {
                for item in list {
                    var digits = item
                    if signed, let f = digits.first, f == "+" || f == "-" { digits = digits.dropFirst() }
                    guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy(\.isASCIIDigitCharacter), let v = Int(digits),
                        range.contains(v), !(signed && v == 0 && range.lowerBound > 0)
                    else { return "\(name)=\(value.prefix(30)) is out of range" }
                }
                return nil
            }
            switch name {
            case "FREQ":
                guard frequencies.contains(value.uppercased()) else { return "FREQ=\(value.prefix(20)) is not a frequency" }
                hasFreq = true
            case "UNTIL":
                guard ContentLines.isValidDateOrDateTime(value) else { return "UNTIL=\(value.prefix(30)) is not a valid date" }
            case "COUNT", "INTERVAL":
                guard !value.isEmpty, value.count <= 9, value.allSatisfy(\.isASCIIDigitCharacter), let v = Int(value), v > 0 else {
                    return "\(name)=\(value.prefix(20)) must be a positive whole number"
                }
            case "BYSECOND": if let p = numbers(0...60, signed: false) { return p }
            case "BYMINUTE": if let p = numbers(0...59, signed: false) { return p }
            case "BYHOUR": if let p = numbers(0...23, signed: false) { return p }
            case "BYMONTHDAY": if let p = numbers(1...31, signed: true) { return p }
            case "BYYEARDAY": if let p = numbers(1...366, signed: true) { return p }
            case "BYWEEKNO": if let p = numbers(1...53, signed: true) { return p }
            case "BYMONTH": if let p = numbers(1...12, signed: false) { return p }
            case "BYSETPOS": if let p = numbers(1...366, signed: true) { return p }
            case "WKST":
                guard weekdays.contains(value.uppercased()) else { return "WKST=\(value.prefix(20)) is not a weekday" }
            case "BYDAY":
                for item in list {
                    let day = String(item.suffix(2)).uppercased()
                    var ordinal = item.dropLast(2)
                    if let f = ordinal.first, f == "+" || f == "-" { ordinal = ordinal.dropFirst() }
                    guard weekdays.contains(day), ordinal.count <= 2, ordinal.allSatisfy(\.isASCIIDigitCharacter),
                        ordinal.isEmpty || (Int(ordinal).map { (1...53).contains($0) } ?? false)
                    else { return "BYDAY=\(value.prefix(30)) is not a list of weekdays" }
                }
            default:
                return "\(name.prefix(20)) is not a part of a recurrence rule"
            }
        }
        if !hasFreq { return "it has no FREQ" }
        if seen.contains("COUNT") && seen.contains("UNTIL") { return "it has both COUNT and UNTIL" }
        return DayFilter(rule: rule)?.problem
    }
}

/// The day-level parts of a well-formed rule (BYMONTH, BYMONTHDAY, BYYEARDAY and BYDAY's weekdays), which every
/// occurrence's date must satisfy whatever the frequency. libical searches for the next matching step one step
/// at a time, up to the year 2582, so a rule no date can satisfy (BYMONTH=2;BYMONTHDAY=30) or a sub-daily rule
/// whose days are years apart spins for minutes inside one call. Checking the days of a whole 400-year Gregorian
/// cycle first turns both into a reason.
struct DayFilter {
    var frequency = ""
    var interval = 1
    var months: Set<Int>?
    var monthDays: [Int]?
    var yearDays: [Int]?
    var weekdays: Set<Int>?

    /// Most libical steps one search for the next occurrence may take (about three seconds).
    static let stepBudget = 1_000_000

    /// Reads the parts of an already checked rule; nil when it has no day-level part.
    init?(rule: String) {
        for part in rule.split(separator: ";") {
            guard let eq = part.firstIndex(of: "=") else { continue }
            let name = part[..<eq].uppercased()
            let items = part[part.index(after: eq)...].split(separator: ",")
            switch name {
            case "FREQ": frequency = part[part.index(after: eq)...].uppercased()
            case "INTERVAL": interval = max(1, Int(part[part.index(after: eq)...]) ?? 1)
            case "BYMONTH": months = Set(items.compactMap { Int($0) })
            case "BYMONTHDAY": monthDays = items.compactMap { Int($0) }
            case "BYYEARDAY": yearDays = items.compactMap { Int($0) }
            case "BYDAY":
                weekdays = Set(
                    items.compactMap { item in
                        RecurrenceRuleCheck.weekdayOrder.firstIndex(of: String(item.suffix(2)).uppercased())
                    })
            default: continue
            }
        }
        if months == nil && monthDays == nil && yearDays == nil && weekdays == nil { return nil }
    }

    /// Steps of the rule's frequency in one day, or nil for daily and longer frequencies.
    var stepsPerDay: Int? {
        switch frequency {
        case "HOURLY": 24
        case "MINUTELY": 1_440
        case "SECONDLY": 86_400
        default: nil
        }
    }

    /// Why the rule can never be expanded, or nil.
    var problem: String? {
        let subDaily = stepsPerDay != nil
        var first: Int?
        var previous: Int?
        var widest = 0
        var day = 0
        Self.forEachDay { year, month, monthDay, yearDay, weekday in
            defer { day += 1 }
            guard matches(year: year, month: month, monthDay: monthDay, yearDay: yearDay, weekday: weekday) else {
                return true
            }
            if first == nil { first = day }
            if let p = previous { widest = max(widest, day - p) }
            previous = day
            return subDaily
        }
        guard let first, let last = previous else {
            return "no date can satisfy its BYMONTH, BYMONTHDAY, BYYEARDAY and BYDAY parts together, so it never occurs"
        }
        guard let perDay = stepsPerDay else { return nil }
        widest = max(widest, day - last + first)
        if widest * perDay / interval > Self.stepBudget {
            return "its dates are up to \(widest) days apart, too far for a FREQ=\(frequency) rule to be expanded"
        }
        return nil
    }

    func matches(year: Int, month: Int, monthDay: Int, yearDay: Int, weekday: Int) -> Bool {
        if let months, !months.contains(month) { return false }
        if let weekdays, !weekdays.contains(weekday) { return false }
        if let monthDays {
            let length = Self.daysIn(month: month, year: year)
            guard monthDays.contains(where: { $0 == monthDay || $0 == monthDay - length - 1 }) else { return false }
        }
        if let yearDays {
            let length = Self.isLeap(year) ? 366 : 365
            guard yearDays.contains(where: { $0 == yearDay || $0 == yearDay - length - 1 }) else { return false }
        }
        return true
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Calls `body(year, month, monthDay, yearDay, weekday)` for every day of 2000–2399 (a whole Gregorian cycle;
    /// weekday 0 is Sunday) until it returns false.
    static func forEachDay(_ body: (Int, Int, Int, Int, Int) -> Bool) {
        var weekday = 6  // 2000-01-01 was a Saturday
        for year in 2000..<2400 {
            var yearDay = 0
            for month in 1...12 {
                for monthDay in 1...daysIn(month: month, year: year) {
                    yearDay += 1
                    guard body(year, month, monthDay, yearDay, weekday) else { return }
                    weekday = (weekday + 1) % 7
                }
            }
        }
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

/// One pass over the bytes of a file: unfolds lines, checks each one (`LineChecker`), and feeds it to libical's
/// incremental parser (`icalparser_add_line`), one top-level component at a time, so libical never scans the
/// text again and only one component's tree is alive at once.
///
/// Each completed component (a VEVENT, VTIMEZONE, VFREEBUSY, or the VCALENDAR shell with its own properties)
/// is handed to `sink` as a borrowed pointer together with the line it began on, and freed after `sink` returns.
/// VTODO, VJOURNAL and unknown components are checked but never parsed; `skipped` counts VTODO and VJOURNAL.
struct ComponentStream {
    /// Components handed to libical; any other child of a VCALENDAR is only checked.
    static let parsed: [[UInt8]] = ["VEVENT", "VTIMEZONE", "VFREEBUSY"].map { Array($0.utf8) }
    static let counted: [[UInt8]] = ["VTODO", "VJOURNAL"].map { Array($0.utf8) }

    private(set) var skipped = 0

    /// Runs the pass. `sink(component, beginLine, isCalendarShell)`.
    mutating func run(
        _ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, feed: Bool,
        sink: (OpaquePointer, Int, Bool) throws(ICalError) -> Void
    ) throws(ICalError) {
        var checker = LineChecker(maxDepth: maxDepth)
        var shell: OpaquePointer?
        var child: OpaquePointer?
        var childLine = 0
        defer {
            if let shell { icalparser_free(shell) }
            if let child { icalparser_free(child) }
        }
        var line: [UInt8] = []
        line.reserveCapacity(4096)
        var lineNumber = 0
        var physical = 0
        var i = 0
        let n = bytes.count

        func flush() throws(ICalError) {
            if line.isEmpty || ((line[0] == 32 || line[0] == 9) && line.allSatisfy({ $0 == 32 || $0 == 9 })) { return }
            let depthBefore = checker.stack.count
            let (kind, repaired) = try line.withUnsafeBufferPointer { b throws(ICalError) in try checker.check(b, line: lineNumber) }
            if let repaired { line = repaired }
            guard feed else { return }
            // Route the line: the VCALENDAR's own lines to the shell parser, a child's lines to its own parser.
            var target: OpaquePointer?
            var closes = false
            switch kind {
            case .begin(let name):
                if depthBefore == 0 {
                    shell = icalparser_new()
                    target = shell
                } else if depthBefore == 1 {
                    if Self.parsed.contains(name) {
                        child = icalparser_new()
                        childLine = lineNumber
                        target = child
                    } else if Self.counted.contains(name) {
                        skipped += 1
                    }
                } else {
                    target = child
                }
            case .end:
                if depthBefore == 1 {
                    target = shell
                    closes = true
                } else if depthBefore == 2 {
                    target = child
                    closes = child != nil
                } else {
                    target = child
                }
            case .property:
                target = depthBefore == 1 ? shell : child
            }
            guard let parser = target else { return }
            line.append(0)
            let done = line.withUnsafeMutableBufferPointer { b in
                b.baseAddress.map { icalparser_add_line(parser, UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self)) } ?? nil
            }
            line.removeLast()
            guard closes else {
                // libical returns a component only when its outermost END arrives.
                if let done { icalcomponent_free(done) }
                return
            }
            let isShell = depthBefore == 1
            if isShell {
                shell = nil
            } else {
                child = nil
            }
            icalparser_free(parser)
            guard let done else { return }
            defer { icalcomponent_free(done) }
            try sink(done, isShell ? 0 : childLine, isShell)
        }

        while i < n {
            physical += 1
            var j = i
            while j < n && bytes[j] != 10 { j += 1 }
            var end = j
            if end > i && bytes[end - 1] == 13 { end -= 1 }
            if i < end && (bytes[i] == 32 || bytes[i] == 9) && lineNumber > 0 {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[(i + 1)..<end]))
            } else {
                try flush()
                line.removeAll(keepingCapacity: true)
                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<end]))
                lineNumber = physical
            }
            i = j + 1
        }
        try flush()
        try checker.finish()
    }
}
