internal import CLibical
import Foundation

extension ICalendar {
    /// Serializes the calendar through libical: CRLF line endings, lines folded at 75 octets without
    /// splitting a UTF-8 character, TEXT escaped, and one VTIMEZONE (plain IANA TZID, truncated to the
    /// years the file needs) for every TZID used.
    /// - Throws: `ICalError.unknownTimeZone` when an event names a zone libical does not know.
    public func serialized() throws(ICalError) -> String {
        try Libical.locked { () throws(ICalError) -> String in
            let root = try makeComponent()
            // libical 3.0 escapes only the backslash of an X-property's value, so X-WR-CALNAME is written here.
            let calName = name.map { "X-WR-CALNAME:" + Self.escapedText($0) }
            return ContentLines.refold(root.icalString()) { line in
                line == "X-WR-CALNAME:" + Self.calendarNamePlaceholder ? calName : nil
            }
        }
    }

    /// Writes `serialized()` to a file atomically (a temporary file renamed into place).
    public func write(to url: URL) throws(ICalError) {
        let text = try serialized()
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw ICalError(.io, "cannot write \(url.path): \(error.localizedDescription)")
        }
    }

    func makeComponent() throws(ICalError) -> OwnedComponent {
        try WrittenValues.checkText(productID, "PRODID")
        if let name { try WrittenValues.checkLine(name, "the calendar name") }
        if let defaultTimeZone { try WrittenValues.checkLine(defaultTimeZone, "X-WR-TIMEZONE") }
        let cal = OwnedComponent(kind: ICAL_VCALENDAR_COMPONENT)
        cal.add(icalproperty_new_prodid(productID))
        cal.add(icalproperty_new_version("2.0"))
        cal.add(icalproperty_new_calscale("GREGORIAN"))
        if let method { cal.add(icalproperty_new_method(method.libical)) }
        if let name {
            cal.add(icalproperty_new_name(name))
            cal.add(Self.xProperty("X-WR-CALNAME", Self.calendarNamePlaceholder))
        }
        if let defaultTimeZone { cal.add(Self.xProperty("X-WR-TIMEZONE", defaultTimeZone)) }
        if let refreshIntervalSeconds {
            let p = icalproperty_new_refreshinterval(icaldurationtype_from_int(Int32(refreshIntervalSeconds)))
            if let p { icalproperty_add_parameter(p, icalparameter_new_value(ICAL_VALUE_DURATION)) }
            cal.add(p)
            cal.add(Self.xProperty("X-PUBLISHED-TTL", Self.durationText(refreshIntervalSeconds)))
        }
        // One VTIMEZONE per TZID used, truncated to the earliest year any value needs.
        var earliest: [String: ICalDate] = [:]
        for e in events {
            for value in [e.start, e.end, e.recurrenceID].compactMap({ $0 }) + e.exceptionDates + e.recurrenceDates {
                if let tz = value.tzid { earliest[tz] = min(earliest[tz] ?? value.date, value.date) }
            }
        }
        for tzid in earliest.keys.sorted() {
            guard let first = earliest[tzid] else { continue }
            cal.adopt(try VTimezoneBuilder.make(iana: tzid, from: first))
        }
        for event in events { cal.adopt(try event.makeComponent()) }
        for fb in freeBusy {
            try WrittenValues.checkLine(fb.uid, "a UID")
            if let organizer = fb.organizer { try WrittenValues.check(organizer, "the ORGANIZER") }
            cal.adopt(fb.makeComponent())
        }
        return cal
    }

    /// What libical is given for X-WR-CALNAME; `serialized()` writes the escaped name in its place.
    static let calendarNamePlaceholder = "RETREAT-CALENDAR-NAME"

    /// TEXT escaping (RFC 5545 §3.3.11) of a one-line value.
    static func escapedText(_ value: String) -> String {
        var out = ""
        for ch in value {
            switch ch {
            case "\\": out += #"\\"#
            case ";": out += #"\;"#
            case ",": out += #"\,"#
            default: out.append(ch)
            }
        }
        return out
    }

    static func xProperty(_ name: String, _ value: String) -> OpaquePointer? {
        guard let p = icalproperty_new_x(value) else { return nil }
        icalproperty_set_x_name(p, name)
        return p
    }

    static func durationText(_ seconds: Int) -> String {
        let d = icaldurationtype_from_int(Int32(seconds))
        guard let s = icaldurationtype_as_ical_string_r(d) else { return "PT\(seconds)S" }
        defer { icalmemory_free_buffer(s) }
        return String(cString: s)
    }
}

extension ICalMethod {
    var libical: icalproperty_method {
        switch self {
        case .publish: return ICAL_METHOD_PUBLISH
        case .request: return ICAL_METHOD_REQUEST
        case .cancel: return ICAL_METHOD_CANCEL
        case .reply: return ICAL_METHOD_REPLY
        }
    }
}

extension ICalAddress {
    func property(organizer: Bool) -> OpaquePointer? {
        guard let p = organizer ? icalproperty_new_organizer(uri) : icalproperty_new_attendee(uri) else { return nil }
        if let commonName { icalproperty_add_parameter(p, icalparameter_new_cn(CaretEncoding.prepared(commonName))) }
        if !organizer {
            if let role, let param = icalparameter_new_from_value_string(ICAL_ROLE_PARAMETER, role) {
                icalproperty_add_parameter(p, param)
            }
            if let participationStatus,
                let param = icalparameter_new_from_value_string(ICAL_PARTSTAT_PARAMETER, participationStatus)
            {
                icalproperty_add_parameter(p, param)
            }
            if rsvp { icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_TRUE)) }
        }
        return p
    }
}

/// The writer's last gate against injection: whatever a caller checked before, no value reaches libical with a
/// line break where a line break could end the content line (libical escapes `\n` in TEXT values and encodes
/// parameters, but writes a URL as given), and no control character reaches a file at all.
enum WrittenValues {
    static func forbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F, 0x80...0x9F, 0x2028, 0x2029: return true
        default: return false
        }
    }

    /// A value written on one line (UID, URI, parameter, RRULE, TZID): no control character at all. (libical
    /// 3.0.16 writes a URL's line break raw, which would start a property of its own; a double quote in a
    /// parameter it encodes as `^'`, RFC 6868.)
    static func checkLine(_ value: String, _ what: String) throws(ICalError) {
        if value.unicodeScalars.contains(where: forbidden) {
            throw ICalError(.malformed, "\(what) contains a line break or a control character; nothing was written")
        }
    }

    /// A TEXT value (SUMMARY, DESCRIPTION, LOCATION): plain line breaks (`\n`, escaped by libical) only.
    static func checkText(_ value: String, _ what: String) throws(ICalError) {
        if value.unicodeScalars.contains(where: { $0 != "\n" && forbidden($0) }) {
            throw ICalError(.malformed, "\(what) contains a carriage return or a control character; nothing was written")
        }
    }

    static func check(_ address: ICalAddress, _ what: String) throws(ICalError) {
        try checkLine(address.uri, what)
        if let cn = address.commonName { try checkLine(cn, "the CN of \(what)") }
        if let role = address.role { try checkLine(role, "the ROLE of \(what)") }
        if let status = address.participationStatus { try checkLine(status, "the PARTSTAT of \(what)") }
    }

    static func check(_ value: ICalDateTime, _ what: String) throws(ICalError) {
        if let tzid = value.tzid { try checkLine(tzid, "the TZID of \(what)") }
    }

    static func check(_ e: ICalEvent) throws(ICalError) {
        try checkLine(e.uid, "a UID")
        for (value, what) in [(e.summary, "a SUMMARY"), (e.description, "a DESCRIPTION"), (e.location, "a LOCATION")] {
            if let value { try checkText(value, what) }
        }
        if let url = e.url { try checkLine(url, "a URL") }
        for category in e.categories { try checkText(category, "a CATEGORIES value") }
        if let organizer = e.organizer { try check(organizer, "the ORGANIZER") }
        for attendee in e.attendees { try check(attendee, "an ATTENDEE") }
        for related in e.relatedTo { try checkLine(related, "a RELATED-TO") }
        for rule in e.recurrenceRules { try checkLine(rule, "an RRULE") }
        for alarm in e.alarms { try checkText(alarm.description, "an alarm's DESCRIPTION") }
        for value in [e.start, e.end, e.recurrenceID].compactMap({ $0 }) + e.exceptionDates + e.recurrenceDates {
            try check(value, "a date of \(e.uid)")
        }
    }
}

extension ICalEvent {
    func makeComponent() throws(ICalError) -> OwnedComponent {
        try WrittenValues.check(self)
        let c = OwnedComponent(kind: ICAL_VEVENT_COMPONENT)
        c.add(icalproperty_new_uid(uid))
        c.add(icalproperty_new_dtstamp(TimeConversion.icalValue(.utc(stamp))))
        c.add(Self.dateProperty(start, icalproperty_new_dtstart))
        if let end {
            c.add(Self.dateProperty(end, icalproperty_new_dtend))
        } else if let durationSeconds {
            c.add(icalproperty_new_duration(icaldurationtype_from_int(Int32(durationSeconds))))
        }
        if let recurrenceID { c.add(Self.dateProperty(recurrenceID, icalproperty_new_recurrenceid)) }
        if let summary { c.add(icalproperty_new_summary(summary)) }
        if let description { c.add(icalproperty_new_description(description)) }
        if let location { c.add(icalproperty_new_location(location)) }
        if let url { c.add(icalproperty_new_url(url)) }
        if let status { c.add(icalproperty_new_status(status.libical)) }
        c.add(icalproperty_new_sequence(Int32(sequence)))
        if let classification { c.add(icalproperty_new_class(classification.libical)) }
        if let transparency {
            c.add(icalproperty_new_transp(transparency == .opaque ? ICAL_TRANSP_OPAQUE : ICAL_TRANSP_TRANSPARENT))
        }
        for category in categories { c.add(icalproperty_new_categories(category)) }
        if let organizer { c.add(organizer.property(organizer: true)) }
        for attendee in attendees { c.add(attendee.property(organizer: false)) }
        for related in relatedTo { c.add(icalproperty_new_relatedto(related)) }
        for recurrenceRule in recurrenceRules {
            let rule = icalrecurrencetype_from_string(recurrenceRule)
            if rule.freq == ICAL_NO_RECURRENCE {
                throw ICalError(.malformed, "RRULE \"\(recurrenceRule)\" is not a valid recurrence rule")
            }
            c.add(icalproperty_new_rrule(rule))
        }
        for value in recurrenceDates {
            var dtp = icaldatetimeperiodtype()
            dtp.time = TimeConversion.icalValue(value)
            dtp.period = icalperiodtype_null_period()
            let p = icalproperty_new_rdate(dtp)
            if let p { TimeConversion.apply(value, to: p) }
            c.add(p)
        }
        for period in recurrencePeriods {
            var dtp = icaldatetimeperiodtype()
            dtp.time = icaltime_null_time()
            dtp.period = icalperiodtype_null_period()
            dtp.period.start = TimeConversion.icalValue(period.start)
            if let end = period.end {
                dtp.period.end = TimeConversion.icalValue(end)
            } else {
                dtp.period.duration = icaldurationtype_from_int(Int32(clamping: period.durationSeconds ?? 0))
            }
            let p = icalproperty_new_rdate(dtp)
            if let p { TimeConversion.apply(period.start, to: p) }
            c.add(p)
        }
        for value in exceptionDates { c.add(Self.dateProperty(value, icalproperty_new_exdate)) }
        for alarm in alarms { c.adopt(alarm.makeComponent()) }
        return c
    }

    static func dateProperty(_ value: ICalDateTime, _ make: (icaltimetype) -> OpaquePointer?) -> OpaquePointer? {
        guard let p = make(TimeConversion.icalValue(value)) else { return nil }
        TimeConversion.apply(value, to: p)
        return p
    }
}

extension ICalEventStatus {
    var libical: icalproperty_status {
        switch self {
        case .tentative: return ICAL_STATUS_TENTATIVE
        case .confirmed: return ICAL_STATUS_CONFIRMED
        case .cancelled: return ICAL_STATUS_CANCELLED
        }
    }
}

extension ICalClassification {
    var libical: icalproperty_class {
        switch self {
        case .publicClass: return ICAL_CLASS_PUBLIC
        case .privateClass: return ICAL_CLASS_PRIVATE
        case .confidential: return ICAL_CLASS_CONFIDENTIAL
        }
    }
}

extension ICalAlarm {
    func makeComponent() -> OwnedComponent {
        let c = OwnedComponent(kind: ICAL_VALARM_COMPONENT)
        c.add(icalproperty_new_action(ICAL_ACTION_DISPLAY))
        var trigger = icaltriggertype()
        trigger.time = icaltime_null_time()
        trigger.duration = icaldurationtype_from_int(Int32(triggerSeconds))
        c.add(icalproperty_new_trigger(trigger))
        c.add(icalproperty_new_description(description))
        return c
    }
}

extension ICalFreeBusy {
    func makeComponent() -> OwnedComponent {
        let c = OwnedComponent(kind: ICAL_VFREEBUSY_COMPONENT)
        c.add(icalproperty_new_uid(uid))
        c.add(icalproperty_new_dtstamp(TimeConversion.icalValue(.utc(stamp))))
        c.add(icalproperty_new_dtstart(TimeConversion.icalValue(.utc(start))))
        c.add(icalproperty_new_dtend(TimeConversion.icalValue(.utc(end))))
        if let organizer { c.add(organizer.property(organizer: true)) }
        for interval in busy {
            var period = icalperiodtype_null_period()
            period.start = TimeConversion.icalValue(.utc(interval.start))
            period.end = TimeConversion.icalValue(.utc(interval.end))
            guard let p = icalproperty_new_freebusy(period) else { continue }
            icalproperty_add_parameter(p, icalparameter_new_fbtype(ICAL_FBTYPE_BUSY))
            c.add(p)
        }
        return c
    }
}

/// RFC 6868 asks a parameter's `^` to be written `^^`. libical 3.0 encodes `"` and line breaks in parameters but
/// writes `^` as given, so `^n` in a name would read back as a line break; newer libicals encode it themselves.
/// Which one is linked is found once, by writing a parameter.
enum CaretEncoding {
    static let libicalEncodesCaret: Bool = {
        guard let p = icalparameter_new_cn("^"), let text = icalparameter_as_ical_string(p) else { return false }
        defer { icalparameter_free(p) }
        return String(cString: text).contains("^^")
    }()

    /// `value` ready for libical's parameter writer: `^` doubled unless libical does it.
    static func prepared(_ value: String) -> String {
        libicalEncodesCaret ? value : value.replacingOccurrences(of: "^", with: "^^")
    }
}
