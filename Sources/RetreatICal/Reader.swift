internal import CLibical
import Foundation

/// Limits that bound the work of reading a hostile file.
public struct ICalReadLimits: Sendable, Hashable {
    /// Largest file accepted, in bytes.
    public var maxBytes: Int
    /// Deepest component nesting accepted.
    public var maxDepth: Int

    public init(maxBytes: Int = 64 * 1024 * 1024, maxDepth: Int = 16) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }
}

extension ICalendar {
    /// Parses iCalendar text (one VCALENDAR, or several whose events are merged).
    /// - Throws: `ICalError` saying what is wrong and on which line; never crashes on malformed input.
    public init(parsing text: String, limits: ICalReadLimits = ICalReadLimits()) throws(ICalError) {
        try self.init(data: Data(text.utf8), limits: limits)
    }

    /// Reads and parses an .ics file.
    /// - Throws: `ICalError.io` when the file cannot be read, else as `init(parsing:)`.
    public init(contentsOf url: URL, limits: ICalReadLimits = ICalReadLimits()) throws(ICalError) {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        if let size, size > limits.maxBytes {
            throw ICalError(.tooLarge, "\(url.lastPathComponent) is \(size / 1_048_576) MiB; the limit is \(limits.maxBytes / 1_048_576) MiB")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ICalError(.io, "cannot read \(url.path): \((error as NSError).localizedDescription)")
        }
        try self.init(data: data, limits: limits)
    }

    /// Parses raw bytes.
    public init(data: Data, limits: ICalReadLimits = ICalReadLimits()) throws(ICalError) {
        if data.count > limits.maxBytes {
            throw ICalError(.tooLarge, "the calendar is \(data.count / 1_048_576) MiB; the limit is \(limits.maxBytes / 1_048_576) MiB")
        }
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let text = try ContentLines.check(bytes, maxDepth: limits.maxDepth)
        self = try Libical.locked { () throws(ICalError) -> ICalendar in try ICalendar(libicalText: text) }
    }

    private init(libicalText text: String) throws(ICalError) {
        let root = try LibicalParse.parse(text)
        self.init()
        let calendars: [OpaquePointer]
        if icalcomponent_isa(root.pointer) == ICAL_VCALENDAR_COMPONENT {
            calendars = [root.pointer]
        } else {
            calendars = Walk.children(root.pointer, ICAL_VCALENDAR_COMPONENT)
        }
        for (index, cal) in calendars.enumerated() {
            if index == 0 { try readHeader(cal) }
            for vtz in Walk.children(cal, ICAL_VTIMEZONE_COMPONENT) {
                guard let p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY),
                    let tzid = icalproperty_get_tzid(p)
                else { continue }
                timeZoneDefinitions[String(cString: tzid)] = OwnedComponentText.text(of: vtz)
            }
            for comp in Walk.children(cal, ICAL_VEVENT_COMPONENT) {
                events.append(try ICalEvent(reading: comp))
            }
            for comp in Walk.children(cal, ICAL_VFREEBUSY_COMPONENT) {
                if let fb = ICalFreeBusy(reading: comp) { freeBusy.append(fb) }
            }
            ignoredComponentCount += Walk.children(cal, ICAL_VTODO_COMPONENT).count
            ignoredComponentCount += Walk.children(cal, ICAL_VJOURNAL_COMPONENT).count
        }
    }

    private mutating func readHeader(_ cal: OpaquePointer) throws(ICalError) {
        if let p = icalcomponent_get_first_property(cal, ICAL_PRODID_PROPERTY), let s = icalproperty_get_prodid(p) {
            productID = String(cString: s)
        }
        if let p = icalcomponent_get_first_property(cal, ICAL_METHOD_PROPERTY) {
            method = ICalMethod(rawValue: LibicalParse.valueText(p).uppercased())
        }
        if let p = icalcomponent_get_first_property(cal, ICAL_NAME_PROPERTY), let s = icalproperty_get_name(p) {
            name = String(cString: s)
        }
        if let p = icalcomponent_get_first_property(cal, ICAL_REFRESHINTERVAL_PROPERTY) {
            refreshIntervalSeconds = Int(icaldurationtype_as_int(icalproperty_get_refreshinterval(p)))
        }
        for p in Walk.properties(cal, ICAL_X_PROPERTY) {
            guard let n = icalproperty_get_x_name(p) else { continue }
            let xname = String(cString: n).uppercased()
            let value = LibicalParse.valueText(p)
            if xname == "X-WR-CALNAME", name == nil { name = value }
            if xname == "X-WR-TIMEZONE" { defaultTimeZone = value }
        }
    }
}

/// Text of a borrowed component (for keeping a VTIMEZONE's definition).
enum OwnedComponentText {
    static func text(of comp: OpaquePointer) -> String {
        guard let s = icalcomponent_as_ical_string_r(comp) else { return "" }
        defer { icalmemory_free_buffer(s) }
        return String(cString: s)
    }
}

/// The one place Retreat calls libical's parser.
enum LibicalParse {
    /// Parses text that passed `ContentLines.check`; the result is owned and freed by Swift.
    static func parse(_ text: String) throws(ICalError) -> OwnedComponent {
        retreat_ical_nonfatal()
        retreat_icalerrno_clear()
        guard let raw = icalparser_parse_string(text) else {
            throw ICalError(.malformed, "libical could not parse the calendar")
        }
        return OwnedComponent(takingOwnershipOf: raw)
    }

    /// The value of a property as iCalendar text (unescaped for TEXT).
    static func valueText(_ property: OpaquePointer) -> String {
        guard let v = icalproperty_get_value(property) else { return "" }
        if icalvalue_isa(v) == ICAL_TEXT_VALUE || icalvalue_isa(v) == ICAL_X_VALUE {
            if let s = icalvalue_get_text(v) { return String(cString: s) }
        }
        guard let s = icalvalue_as_ical_string_r(v) else { return "" }
        defer { icalmemory_free_buffer(s) }
        return String(cString: s)
    }

    /// `X-LIC-ERROR` messages libical attached anywhere under `comp`.
    static func errors(in comp: OpaquePointer) -> [ICalProblem] {
        var result: [ICalProblem] = []
        for p in Walk.properties(comp, ICAL_XLICERROR_PROPERTY) {
            let text = icalproperty_get_xlicerror(p).map { String(cString: $0) } ?? "error"
            result.append(ICalProblem(component: Walk.kindName(comp), message: text))
        }
        for child in Walk.children(comp) { result += errors(in: child) }
        return result
    }
}

extension ICalEvent {
    init(reading comp: OpaquePointer) throws(ICalError) {
        func text(_ kind: icalproperty_kind) -> String? {
            guard let p = icalcomponent_get_first_property(comp, kind) else { return nil }
            return LibicalParse.valueText(p)
        }
        func date(_ kind: icalproperty_kind, _ get: (OpaquePointer) -> icaltimetype) -> ICalDateTime? {
            guard let p = icalcomponent_get_first_property(comp, kind) else { return nil }
            let t = get(p)
            if icaltime_is_null_time(t) != 0 { return nil }
            return TimeConversion.value(t, property: p)
        }
        let uid = text(ICAL_UID_PROPERTY) ?? ""
        guard let start = date(ICAL_DTSTART_PROPERTY, icalproperty_get_dtstart) else {
            throw ICalError(.malformed, "an event has no DTSTART (UID \"\(uid.prefix(60))\")")
        }
        var stamp = Date(timeIntervalSince1970: 0)
        if let s = date(ICAL_DTSTAMP_PROPERTY, icalproperty_get_dtstamp) {
            stamp = Date(timeIntervalSince1970: TimeInterval(s.local.naiveSeconds))
        }
        self.init(uid: uid, stamp: stamp, start: start)
        end = date(ICAL_DTEND_PROPERTY, icalproperty_get_dtend)
        if end == nil, let p = icalcomponent_get_first_property(comp, ICAL_DURATION_PROPERTY) {
            durationSeconds = Int(icaldurationtype_as_int(icalproperty_get_duration(p)))
        }
        recurrenceID = date(ICAL_RECURRENCEID_PROPERTY, icalproperty_get_recurrenceid)
        summary = text(ICAL_SUMMARY_PROPERTY)
        description = text(ICAL_DESCRIPTION_PROPERTY)
        location = text(ICAL_LOCATION_PROPERTY)
        url = text(ICAL_URL_PROPERTY)
        status = text(ICAL_STATUS_PROPERTY).flatMap { ICalEventStatus(rawValue: $0.uppercased()) }
        if let p = icalcomponent_get_first_property(comp, ICAL_SEQUENCE_PROPERTY) {
            sequence = Int(icalproperty_get_sequence(p))
        }
        classification = text(ICAL_CLASS_PROPERTY).flatMap { ICalClassification(rawValue: $0.uppercased()) }
        transparency = text(ICAL_TRANSP_PROPERTY).flatMap { ICalTransparency(rawValue: $0.uppercased()) }
        for p in Walk.properties(comp, ICAL_CATEGORIES_PROPERTY) {
            categories.append(LibicalParse.valueText(p))
        }
        if let p = icalcomponent_get_first_property(comp, ICAL_ORGANIZER_PROPERTY) {
            organizer = ICalAddress(reading: p)
        }
        attendees = Walk.properties(comp, ICAL_ATTENDEE_PROPERTY).map(ICalAddress.init(reading:))
        relatedTo = Walk.properties(comp, ICAL_RELATEDTO_PROPERTY).map(LibicalParse.valueText)
        if let p = icalcomponent_get_first_property(comp, ICAL_RRULE_PROPERTY) {
            var rule = icalproperty_get_rrule(p)
            if let s = icalrecurrencetype_as_string_r(&rule) {
                recurrenceRule = String(cString: s)
                icalmemory_free_buffer(s)
            }
        }
        for p in Walk.properties(comp, ICAL_EXDATE_PROPERTY) {
            let t = icalproperty_get_exdate(p)
            if icaltime_is_null_time(t) == 0 { exceptionDates.append(TimeConversion.value(t, property: p)) }
        }
        for p in Walk.properties(comp, ICAL_RDATE_PROPERTY) {
            let dtp = icalproperty_get_rdate(p)
            if icaltime_is_null_time(dtp.time) == 0 {
                recurrenceDates.append(TimeConversion.value(dtp.time, property: p))
            } else if icaltime_is_null_time(dtp.period.start) == 0 {
                recurrenceDates.append(TimeConversion.value(dtp.period.start, property: p))
            }
        }
        for alarm in Walk.children(comp, ICAL_VALARM_COMPONENT) {
            guard let tp = icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY) else { continue }
            let trigger = icalproperty_get_trigger(tp)
            let desc = icalcomponent_get_first_property(alarm, ICAL_DESCRIPTION_PROPERTY).map(LibicalParse.valueText) ?? ""
            alarms.append(ICalAlarm(triggerSeconds: Int(icaldurationtype_as_int(trigger.duration)), description: desc))
        }
    }
}

extension ICalAddress {
    init(reading p: OpaquePointer) {
        self.init(uri: LibicalParse.valueText(p))
        if let param = Walk.parameter(p, ICAL_CN_PARAMETER), let cn = icalparameter_get_cn(param) {
            commonName = String(cString: cn)
        }
        if let param = Walk.parameter(p, ICAL_ROLE_PARAMETER), let s = icalparameter_as_ical_string_r(param) {
            role = String(String(cString: s).split(separator: "=").last ?? "")
            icalmemory_free_buffer(s)
        }
        if let param = Walk.parameter(p, ICAL_PARTSTAT_PARAMETER), let s = icalparameter_as_ical_string_r(param) {
            participationStatus = String(String(cString: s).split(separator: "=").last ?? "")
            icalmemory_free_buffer(s)
        }
        if let param = Walk.parameter(p, ICAL_RSVP_PARAMETER) {
            rsvp = icalparameter_get_rsvp(param) == ICAL_RSVP_TRUE
        }
    }
}

extension ICalFreeBusy {
    init?(reading comp: OpaquePointer) {
        func instant(_ t: icaltimetype) -> Date {
            Date(timeIntervalSince1970: TimeInterval(TimeConversion.local(t).naiveSeconds))
        }
        guard let sp = icalcomponent_get_first_property(comp, ICAL_DTSTART_PROPERTY),
            let ep = icalcomponent_get_first_property(comp, ICAL_DTEND_PROPERTY)
        else { return nil }
        let uid = icalcomponent_get_first_property(comp, ICAL_UID_PROPERTY).map(LibicalParse.valueText) ?? ""
        let stampProp = icalcomponent_get_first_property(comp, ICAL_DTSTAMP_PROPERTY)
        let stamp = stampProp.map { instant(icalproperty_get_dtstamp($0)) } ?? Date(timeIntervalSince1970: 0)
        var busy: [DateInterval] = []
        for p in Walk.properties(comp, ICAL_FREEBUSY_PROPERTY) {
            let period = icalproperty_get_freebusy(p)
            let s = instant(period.start)
            var e = instant(period.end)
            if icaltime_is_null_time(period.end) != 0 {
                e = s.addingTimeInterval(TimeInterval(icaldurationtype_as_int(period.duration)))
            }
            if e >= s { busy.append(DateInterval(start: s, end: e)) }
        }
        let organizer = icalcomponent_get_first_property(comp, ICAL_ORGANIZER_PROPERTY).map(ICalAddress.init(reading:))
        self.init(
            uid: uid, stamp: stamp, start: instant(icalproperty_get_dtstart(sp)), end: instant(icalproperty_get_dtend(ep)),
            organizer: organizer, busy: busy)
    }
}
