internal import CLibical
import Foundation

/// Checks an iCalendar text the way Retreat's exports must pass: libical's parser errors, its RFC 5546
/// restriction table for the file's METHOD, and Retreat's own rules.
public enum ICalValidator {
    /// Every problem found; empty when the text is clean.
    public static func problems(in text: String) -> [ICalProblem] {
        Libical.locked { () -> [ICalProblem] in check(text) }
    }

    private static func check(_ text: String) -> [ICalProblem] {
        var problems: [ICalProblem] = []
        let lines: [ContentLine]
        do {
            _ = try ContentLines.check(Data(text.utf8))
            lines = ContentLines.unfold(text)
        } catch {
            return [ICalProblem(component: "VCALENDAR", message: error.description)]
        }
        // Retreat's own rules: every TZID defined once, no TZID with a UTC value, CRLF and 75-octet lines.
        var defined: [String: Int] = [:]
        var used = Set<String>()
        for l in lines {
            if l.name == "TZID" { defined[l.value ?? "", default: 0] += 1 }
            let value = l.value ?? ""
            let head = l.text.dropLast(value.count)
            if let r = head.range(of: ";TZID=", options: .caseInsensitive) {
                let tz = String(head[r.upperBound...].prefix(while: { $0 != ";" && $0 != ":" }))
                    .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                used.insert(tz)
                if (l.value ?? "").hasSuffix("Z") {
                    problems.append(ICalProblem(component: "VCALENDAR", message: "line \(l.line): \(l.name) has both a TZID and a UTC 'Z' value"))
                }
            }
        }
        for tz in used.sorted() where defined[tz] == nil {
            problems.append(ICalProblem(component: "VCALENDAR", message: "TZID \(tz) is used but has no VTIMEZONE"))
        }
        for (tz, count) in defined.sorted(by: { $0.key < $1.key }) where count > 1 {
            problems.append(ICalProblem(component: "VCALENDAR", message: "TZID \(tz) is defined \(count) times"))
        }
        if text.contains("sourceforge.net") {
            problems.append(ICalProblem(component: "VTIMEZONE", message: "a TZID carries libical's /freeassociation.sourceforge.net/ prefix"))
        }
        for (i, raw) in text.utf8.split(separator: 10, omittingEmptySubsequences: false).enumerated() where !raw.isEmpty {
            if raw.last != 13 {
                problems.append(ICalProblem(component: "VCALENDAR", message: "line \(i + 1) does not end with CRLF"))
                break
            }
            if raw.count - 1 > 75 {
                problems.append(ICalProblem(component: "VCALENDAR", message: "line \(i + 1) is longer than 75 octets"))
                break
            }
        }
        // libical: parser errors, then the restriction table.
        do {
            let root = try LibicalParse.parse(text)
            problems += LibicalParse.errors(in: root.pointer)
            icalcomponent_strip_errors(root.pointer)
            let ok = icalrestriction_check(root.pointer)
            let restriction = LibicalParse.errors(in: root.pointer)
            problems += restriction
            if ok == 0 && restriction.isEmpty {
                problems.append(ICalProblem(component: "VCALENDAR", message: "libical's restriction check failed"))
            }
        } catch {
            problems.append(ICalProblem(component: "VCALENDAR", message: error.description))
        }
        return problems
    }
}

extension ICalendar {
    /// Serializes the calendar and returns every problem `ICalValidator` finds in it.
    public func validate() -> [ICalProblem] {
        do {
            return ICalValidator.problems(in: try serialized())
        } catch {
            return [ICalProblem(component: "VCALENDAR", message: error.description)]
        }
    }
}
