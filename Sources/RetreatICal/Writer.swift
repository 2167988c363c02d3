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
            return ContentLines.refold(root.icalString())
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
        let cal = OwnedComponent(kind: ICAL_VCALENDAR_COMPONENT)
        cal.add(icalproperty_new_prodid(productID))
        cal.add(icalproperty_new_version("2.0"))
        cal.add(icalproperty_new_calscale("GREGORIAN"))
        if let method { cal.add(icalproperty_new_method(method.libical)) }
        if let name {
            cal.add(icalproperty_new_name(name))
            cal.add(Self.xProperty("X-WR-CALNAME", Self.escapedText(name)))
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
        for fb in freeBusy { cal.adopt(fb.makeComponent()) }
        return cal
    }

    /// TEXT escaping (RFC 5545 §3.3.11) for values libical writes raw, such as X-properties.
    static func escapedText(_ value: String) -> String {
        var out = ""
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n": out += "\\n"
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
        if let commonName { icalproperty_add_parameter(p, icalparameter_new_cn(commonName)) }
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

extension ICalEvent {
    func makeComponent() throws(ICalError) -> OwnedComponent {
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
