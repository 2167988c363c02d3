internal import CLibical
import Foundation

/// Limits that bound the work of reading a hostile file.
public struct ICalReadLimits: Sendable, Hashable {
    /// Largest file accepted, in bytes.
    public var maxBytes: Int
    /// Deepest component nesting accepted.
    public var maxDepth: Int

    /// The size limit as people read it: "64 MiB", or bytes when it is not a whole number of MiB.
    var sizeText: String { maxBytes % 1_048_576 == 0 ? "\(maxBytes / 1_048_576) MiB" : "\(maxBytes) bytes" }

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
            throw ICalError(.tooLarge, "the file is \(size) bytes, over the limit of \(limits.sizeText)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ICalError(.io, "cannot read \(url.path): \((error as NSError).localizedDescription)")
        }
        try self.init(data: data, limits: limits)
    }

    /// Parses raw bytes in one pass: each line is checked (errors name it) and handed to libical's incremental
    /// parser, one top-level component at a time (`ComponentStream`).
    public init(data: Data, limits: ICalReadLimits = ICalReadLimits()) throws(ICalError) {
        if data.count > limits.maxBytes {
            throw ICalError(.tooLarge, "the calendar is \(data.count) bytes, over the limit of \(limits.sizeText)")
        }
        self = try Libical.locked { () throws(ICalError) -> ICalendar in
            try ContentLines.withBytes(data) { (all: UnsafeBufferPointer<UInt8>) throws(ICalError) -> ICalendar in
                var bytes = all
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = UnsafeBufferPointer(rebasing: all[3...]) }
                return try ICalendar(streaming: bytes, maxDepth: limits.maxDepth)
            }
        }
    }

    private init(streaming bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) throws(ICalError) {
        self.init()
        retreat_ical_nonfatal()
        retreat_icalerrno_clear()
        var calendars = 0
        var stream = ComponentStream()
        var result = self
        try stream.run(bytes, maxDepth: maxDepth, feed: true) { (comp: OpaquePointer, line: Int, isShell: Bool) throws(ICalError) in
            switch icalcomponent_isa(comp) {
            case ICAL_VCALENDAR_COMPONENT where isShell:
                if calendars == 0 { result.readHeader(comp) }
                calendars += 1
            case ICAL_VEVENT_COMPONENT:
                result.events.append(try ICalEvent(reading: comp, line: line))
            case ICAL_VTIMEZONE_COMPONENT:
                if let p = icalcomponent_get_first_property(comp, ICAL_TZID_PROPERTY), let tzid = icalproperty_get_tzid(p) {
                    let name = String(cString: tzid)
                    if result.timeZoneDefinitions[name] == nil { result.timeZoneOrder.append(name) }
                    result.timeZoneDefinitions[name] = OwnedComponentText.text(of: comp)
                }
            case ICAL_VFREEBUSY_COMPONENT:
                if let fb = ICalFreeBusy(reading: comp) { result.freeBusy.append(fb) }
            default:
                break
            }
        }
        result.ignoredComponentCount = stream.skipped
        self = result
    }

    private mutating func readHeader(_ cal: OpaquePointer) {
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
    /// Reads a VEVENT in one walk over its properties. `line` is where its BEGIN:VEVENT is, for messages.
    init(reading comp: OpaquePointer, line: Int = 0) throws(ICalError) {
        var uid: String?
        var start: ICalDateTime?
        var end: ICalDateTime?
        var duration: Int?
        var stampValue: ICalDateTime?
        var recurrenceID: ICalDateTime?
        var thisAndFuture = false
        var summary: String?, description: String?, location: String?, url: String?
        var status: ICalEventStatus?, sequence: Int?, classification: ICalClassification?, transparency: ICalTransparency?
        var categories: [String] = [], organizer: ICalAddress?, attendees: [ICalAddress] = [], relatedTo: [String] = []
        var rules: [String] = [], rdates: [ICalDateTime] = [], periods: [ICalPeriod] = [], exdates: [ICalDateTime] = []

        func date(_ p: OpaquePointer, _ get: (OpaquePointer) -> icaltimetype) -> ICalDateTime? {
            let t = get(p)
            if icaltime_is_null_time(t) != 0 { return nil }
            return TimeConversion.value(t, property: p)
        }
        var prop = icalcomponent_get_first_property(comp, ICAL_ANY_PROPERTY)
        while let p = prop {
            prop = icalcomponent_get_next_property(comp, ICAL_ANY_PROPERTY)
            let kind = icalproperty_isa(p)
            // Single-valued properties: the first one counts.
            switch kind {
            case ICAL_UID_PROPERTY where uid == nil: uid = LibicalParse.valueText(p)
            case ICAL_DTSTART_PROPERTY where start == nil: start = date(p, icalproperty_get_dtstart)
            case ICAL_DTEND_PROPERTY where end == nil: end = date(p, icalproperty_get_dtend)
            case ICAL_DURATION_PROPERTY where duration == nil: duration = Int(icaldurationtype_as_int(icalproperty_get_duration(p)))
            case ICAL_DTSTAMP_PROPERTY where stampValue == nil: stampValue = date(p, icalproperty_get_dtstamp)
            case ICAL_RECURRENCEID_PROPERTY where recurrenceID == nil:
                recurrenceID = date(p, icalproperty_get_recurrenceid)
                if let r = Walk.parameter(p, ICAL_RANGE_PARAMETER) { thisAndFuture = icalparameter_get_range(r) == ICAL_RANGE_THISANDFUTURE }
            case ICAL_SUMMARY_PROPERTY where summary == nil: summary = LibicalParse.valueText(p)
            case ICAL_DESCRIPTION_PROPERTY where description == nil: description = LibicalParse.valueText(p)
            case ICAL_LOCATION_PROPERTY where location == nil: location = LibicalParse.valueText(p)
            case ICAL_URL_PROPERTY where url == nil: url = LibicalParse.valueText(p)
            case ICAL_STATUS_PROPERTY where status == nil: status = ICalEventStatus(rawValue: LibicalParse.valueText(p).uppercased())
            case ICAL_SEQUENCE_PROPERTY where sequence == nil: sequence = Int(icalproperty_get_sequence(p))
            case ICAL_CLASS_PROPERTY where classification == nil: classification = ICalClassification(rawValue: LibicalParse.valueText(p).uppercased())
            case ICAL_TRANSP_PROPERTY where transparency == nil: transparency = ICalTransparency(rawValue: LibicalParse.valueText(p).uppercased())
            case ICAL_ORGANIZER_PROPERTY where organizer == nil: organizer = ICalAddress(reading: p)
            case ICAL_CATEGORIES_PROPERTY: categories.append(LibicalParse.valueText(p))
            case ICAL_ATTENDEE_PROPERTY: attendees.append(ICalAddress(reading: p))
            case ICAL_RELATEDTO_PROPERTY: relatedTo.append(LibicalParse.valueText(p))
            case ICAL_RRULE_PROPERTY:
                var rule = icalproperty_get_rrule(p)
                if let s = icalrecurrencetype_as_string_r(&rule) {
                    rules.append(String(cString: s))
                    icalmemory_free_buffer(s)
                }
            case ICAL_EXDATE_PROPERTY:
                let t = icalproperty_get_exdate(p)
                if icaltime_is_null_time(t) == 0 { exdates.append(TimeConversion.value(t, property: p)) }
            case ICAL_RDATE_PROPERTY:
                let dtp = icalproperty_get_rdate(p)
                if icaltime_is_null_time(dtp.time) == 0 {
                    rdates.append(TimeConversion.value(dtp.time, property: p))
                } else if icaltime_is_null_time(dtp.period.start) == 0 {
                    let periodStart = TimeConversion.value(dtp.period.start, property: p)
                    if icaltime_is_null_time(dtp.period.end) == 0 {
                        periods.append(ICalPeriod(start: periodStart, end: TimeConversion.value(dtp.period.end, property: p)))
                    } else {
                        periods.append(ICalPeriod(start: periodStart, durationSeconds: Int(icaldurationtype_as_int(dtp.period.duration))))
                    }
                }
            default: break
            }
        }
        guard let start else {
            let at = line > 0 ? " (BEGIN:VEVENT on line \(line))" : ""
            throw ICalError(.malformed, line: line > 0 ? line : nil, "an event has no DTSTART (UID \"\(uid?.prefix(60) ?? "")\")\(at)")
        }
        // An event that ends before it starts has no meaning a calendar agrees on (RFC 5545 requires DTEND later
        // than DTSTART and a positive DURATION); refuse it rather than guess.
        if end == nil, let duration, duration < 0 {
            throw ICalError(
                .malformed, line: line > 0 ? line : nil, "the event with UID \"\(uid?.prefix(60) ?? "")\" has a negative DURATION; fix or remove that event")
        }
        if let end, end.isDate == start.isDate, end.tzid == start.tzid, end.local.naiveSeconds < start.local.naiveSeconds {
            throw ICalError(
                .malformed, line: line > 0 ? line : nil,
                "the event with UID \"\(uid?.prefix(60) ?? "")\" ends (DTEND) before it starts (DTSTART); fix or remove that event")
        }
        let stamp = Date(timeIntervalSince1970: TimeInterval(stampValue?.local.naiveSeconds ?? 0))
        // RFC 5545 requires a UID. An event without one gets a stand-in made from what it says (times, rules,
        // title, place): stable from one import of the file to the next, and two different events without a UID
        // are never taken for revisions of one event.
        let identity =
            uid
            ?? "no-uid-"
            + ICalDigest.hex128(
                [
                    "\(start)", "\(end.map { "\($0)" } ?? "")", "\(duration ?? 0)", rules.joined(separator: ";"), "\(rdates)", "\(periods)",
                    "\(exdates)", "\(recurrenceID.map { "\($0)" } ?? "")", summary ?? "", location ?? "", description ?? "",
                ].joined(separator: "|"))
        self.init(
            uid: identity, stamp: stamp, start: start, end: end, durationSeconds: end == nil ? duration : nil, summary: summary,
            description: description, location: location, url: url, status: status, sequence: sequence ?? 0,
            classification: classification, transparency: transparency, categories: categories, organizer: organizer,
            attendees: attendees, relatedTo: relatedTo, exceptionDates: exdates, recurrenceID: recurrenceID,
            recurrencePeriods: periods, appliesToFutureInstances: thisAndFuture)
        recurrenceRules = rules
        recurrenceDates = rdates
        var alarmComp = icalcomponent_get_first_component(comp, ICAL_VALARM_COMPONENT)
        while let alarm = alarmComp {
            alarmComp = icalcomponent_get_next_component(comp, ICAL_VALARM_COMPONENT)
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
