internal import CLibical
import Foundation

/// Time zone facts Retreat needs from libical, exposed without libical types.
public enum ICalTimeZones {
    /// True when `identifier` is an IANA zone both Foundation and libical know.
    public static func isKnown(_ identifier: String) -> Bool {
        guard TimeZone(identifier: identifier) != nil else { return false }
        if identifier == "UTC" || identifier == "Etc/UTC" { return true }
        return Libical.locked { () -> Bool in icaltimezone_get_builtin_timezone(identifier) != nil }
    }

    /// The UTC instant of a wall-clock time in an IANA zone, computed by libical.
    /// - Throws: `ICalError.unknownTimeZone` when the zone is unknown.
    public static func instant(of local: LocalDateTime, in identifier: String) throws(ICalError) -> Date {
        try Libical.locked { () throws(ICalError) -> Date in
            let zones = ZoneResolver(definitions: [:])
            return try zones.instant(of: .zoned(local, tzid: identifier), floatingZone: nil)
        }
    }
}

/// Resolves TZIDs of one document to libical zones and converts local times to instants.
///
/// Zones built from a document's VTIMEZONE components are owned here and freed in `deinit`; libical's built-in
/// zones are borrowed (libical keeps them for the life of the process).
///
/// A document's VTIMEZONE is handed to libical only after its observance rules were stepped through up to the
/// last year libical will expand (`horizonYear`) within `maxSteps`: libical expands every transition of a zone
/// up front, so a rule such as `FREQ=SECONDLY` would otherwise run for minutes and take hundreds of megabytes.
final class ZoneResolver {
    private var owned: [OpaquePointer] = []
    private var cache: [String: OpaquePointer] = [:]
    private let definitions: [String: String]
    private let horizonYear: Int
    private let maxSteps: Int

    init(definitions: [String: String], horizonYear: Int = 2100, maxSteps: Int = 20_000) {
        self.definitions = definitions
        self.horizonYear = horizonYear
        self.maxSteps = maxSteps
    }

    deinit {
        for zone in owned { icaltimezone_free(zone, 1) }
    }

    /// The zone for a TZID: the document's own VTIMEZONE first, then libical's built-in IANA zones
    /// (also under libical's `/freeassociation.sourceforge.net/` prefix), then Windows zone names.
    /// - Throws: `ICalError.tooManyOccurrences` when the document's VTIMEZONE for `tzid` has rules that need
    ///   more than `maxSteps` transitions before `horizonYear`.
    func zone(for tzid: String) throws(ICalError) -> OpaquePointer? {
        if let z = cache[tzid] { return z }
        var found: OpaquePointer?
        if let text = definitions[tzid], let z = try Self.zone(fromVTimezone: text, tzid: tzid, horizonYear: horizonYear, maxSteps: maxSteps) {
            owned.append(z)
            found = z
        } else if let iana = Self.ianaName(for: tzid) {
            found = Self.builtin(iana)
        }
        if let found { cache[tzid] = found }
        return found
    }

    static func builtin(_ iana: String) -> OpaquePointer? {
        if iana == "UTC" || iana == "Etc/UTC" || iana == "GMT" || iana == "Z" {
            return icaltimezone_get_utc_timezone()
        }
        return icaltimezone_get_builtin_timezone(iana)
    }

    /// Maps a TZID as clients write it to an IANA name: plain IANA, libical's prefixed form,
    /// quoted forms, and Windows names via the CLDR table.
    static func ianaName(for tzid: String) -> String? {
        var name = tzid.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        if let range = name.range(of: "/freeassociation.sourceforge.net/") {
            name = String(name[range.upperBound...])
            if name.hasPrefix("Tzfile/") { name = String(name.dropFirst("Tzfile/".count)) }
        }
        if name == "UTC" || name == "Etc/UTC" || name == "GMT" || name == "Z" { return "UTC" }
        if TimeZone(identifier: name) != nil, icaltimezone_get_builtin_timezone(name) != nil { return name }
        if let mapped = WindowsZones.iana(for: name) { return mapped }
        return nil
    }

    /// Builds an owned libical zone from VTIMEZONE text; nil if it is not a usable VTIMEZONE.
    private static func zone(fromVTimezone text: String, tzid: String, horizonYear: Int, maxSteps: Int) throws(ICalError) -> OpaquePointer? {
        guard let parsed = icalparser_parse_string(text) else { return nil }
        var comp: OpaquePointer? = parsed
        if icalcomponent_isa(parsed) != ICAL_VTIMEZONE_COMPONENT {
            comp = icalcomponent_get_first_component(parsed, ICAL_VTIMEZONE_COMPONENT)
        }
        guard let vtz = comp else {
            icalcomponent_free(parsed)
            return nil
        }
        do {
            try checkObservances(vtz, tzid: tzid, horizonYear: horizonYear, maxSteps: maxSteps)
        } catch {
            icalcomponent_free(parsed)
            throw error
        }
        guard let clone = icalcomponent_new_clone(vtz) else {
            icalcomponent_free(parsed)
            return nil
        }
        icalcomponent_free(parsed)
        guard let zone = icaltimezone_new() else {
            icalcomponent_free(clone)
            return nil
        }
        // On success the zone owns `clone` and icaltimezone_free(zone, 1) frees it.
        if icaltimezone_set_component(zone, clone) == 0 {
            icalcomponent_free(clone)
            icaltimezone_free(zone, 1)
            return nil
        }
        return zone
    }

    /// Steps through every STANDARD/DAYLIGHT RRULE of a VTIMEZONE up to `horizonYear`, the way libical will
    /// expand it, and refuses one that needs more than `maxSteps` transitions.
    static func checkObservances(_ vtz: OpaquePointer, tzid: String, horizonYear: Int, maxSteps: Int) throws(ICalError) {
        for observance in Walk.children(vtz) {
            let kind = icalcomponent_isa(observance)
            guard kind == ICAL_XSTANDARD_COMPONENT || kind == ICAL_XDAYLIGHT_COMPONENT,
                let startProp = icalcomponent_get_first_property(observance, ICAL_DTSTART_PROPERTY)
            else { continue }
            let start = icalproperty_get_dtstart(startProp)
            var steps = 0
            for p in Walk.properties(observance, ICAL_RRULE_PROPERTY) {
                let rule = icalproperty_get_rrule(p)
                guard rule.freq != ICAL_NO_RECURRENCE, let iterator = icalrecur_iterator_new(rule, start) else { continue }
                defer { icalrecur_iterator_free(iterator) }
                while true {
                    let next = icalrecur_iterator_next(iterator)
                    if icaltime_is_null_time(next) != 0 || Int(next.year) > horizonYear { break }
                    steps += 1
                    if steps > maxSteps {
                        let name = kind == ICAL_XSTANDARD_COMPONENT ? "STANDARD" : "DAYLIGHT"
                        throw ICalError(
                            .tooManyOccurrences,
                            "the VTIMEZONE \"\(tzid.prefix(60))\" has a \(name) rule that changes the clock more than \(maxSteps) times before \(horizonYear) (a real zone changes it a few times a year); fix or remove that VTIMEZONE"
                        )
                    }
                }
            }
        }
    }

    /// The UTC instant of a value. Floating values are read in `floatingZone`; DATE values at local midnight.
    func instant(of value: ICalDateTime, floatingZone: String?) throws(ICalError) -> Date {
        switch value {
        case .utc(let l):
            return Date(timeIntervalSince1970: TimeInterval(l.naiveSeconds))
        case .zoned(let l, let tzid):
            guard let zone = try zone(for: tzid) else {
                throw ICalError(.unknownTimeZone, "unknown time zone \"\(tzid)\" (no VTIMEZONE in the file and not an IANA or Windows zone name)")
            }
            return Self.instant(l, zone)
        case .floating(let l):
            return try floatingInstant(l, floatingZone)
        case .date(let d):
            return try floatingInstant(LocalDateTime(date: d, hour: 0, minute: 0), floatingZone)
        }
    }

    private func floatingInstant(_ l: LocalDateTime, _ floatingZone: String?) throws(ICalError) -> Date {
        guard let name = floatingZone else {
            return Date(timeIntervalSince1970: TimeInterval(l.naiveSeconds))
        }
        guard let zone = try zone(for: name) else {
            throw ICalError(.unknownTimeZone, "unknown time zone \"\(name)\"")
        }
        return Self.instant(l, zone)
    }

    static func instant(_ l: LocalDateTime, _ zone: OpaquePointer) -> Date {
        var t = TimeConversion.icalTime(l)
        t.zone = zone
        let seconds = icaltime_as_timet_with_zone(t, zone)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Wall-clock time of an instant in a zone.
    func local(of instant: Date, in tzid: String) throws(ICalError) -> LocalDateTime? {
        guard let zone = try zone(for: tzid) else { return nil }
        let t = icaltime_from_timet_with_zone(time_t(instant.timeIntervalSince1970), 0, zone)
        return TimeConversion.local(t)
    }
}

/// Builds the VTIMEZONE components Retreat writes: libical's zone for an IANA name, cloned, renamed to the
/// plain IANA name (libical 3.0.16 prefixes `/freeassociation.sourceforge.net/` and ignores an empty prefix),
/// and truncated to the years the file needs.
enum VTimezoneBuilder {
    static func make(iana: String, from earliest: ICalDate) throws(ICalError) -> OwnedComponent {
        guard let zone = ZoneResolver.builtin(iana), let source = icaltimezone_get_component(zone) else {
            throw ICalError(.unknownTimeZone, "unknown time zone \"\(iana)\" (expected an IANA name such as America/New_York)")
        }
        // `source` is borrowed from libical's zone; the clone is ours.
        guard let cloned = icalcomponent_new_clone(source) else {
            throw ICalError(.libical, "libical could not copy the time zone \(iana)")
        }
        let vtz = OwnedComponent(takingOwnershipOf: cloned)
        for p in Walk.properties(vtz.pointer, ICAL_TZID_PROPERTY) {
            icalproperty_set_tzid(p, iana)
        }
        // Drop libical's private location hints; clients do not need them.
        for p in Walk.properties(vtz.pointer, ICAL_X_PROPERTY) {
            icalcomponent_remove_property(vtz.pointer, p)
            icalproperty_free(p)
        }
        var start = TimeConversion.icalUTC(LocalDateTime(year: earliest.year, month: 1, day: 1, hour: 0, minute: 0))
        start.zone = icaltimezone_get_utc_timezone()
        icaltimezone_truncate_vtimezone(vtz.pointer, start, icaltime_null_time(), 1)
        return vtz
    }
}
