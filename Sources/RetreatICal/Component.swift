internal import CLibical
import Foundation

/// Owns one top-level `icalcomponent` and frees it exactly once.
///
/// Children reached through it are borrowed: they belong to this tree and are never freed on their own.
final class OwnedComponent {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`: it is freed in `deinit`.
    init(takingOwnershipOf pointer: OpaquePointer) {
        self.pointer = pointer
    }

    convenience init(kind: icalcomponent_kind) {
        // icalcomponent_new never returns NULL for a valid kind.
        self.init(takingOwnershipOf: icalcomponent_new(kind))
    }

    deinit {
        // A child adopted by a parent is freed with the parent's tree, never here.
        if !released { icalcomponent_free(pointer) }
    }

    /// Adds `child`; the parent now owns it (the Swift wrapper gives up ownership).
    func adopt(_ child: OwnedComponent) {
        let raw = child.releaseOwnership()
        icalcomponent_add_component(pointer, raw)
    }

    private var released = false

    /// Gives up ownership without freeing. Only `adopt` calls this.
    private func releaseOwnership() -> OpaquePointer {
        released = true
        return pointer
    }

    /// Serializes with libical; the returned C string is freed here.
    func icalString() -> String {
        guard let cString = icalcomponent_as_ical_string_r(pointer) else { return "" }
        defer { icalmemory_free_buffer(cString) }
        return String(cString: cString)
    }
}

extension OwnedComponent {
    /// Adds a property; the component now owns it.
    func add(_ property: OpaquePointer?) {
        guard let property else { return }
        icalcomponent_add_property(pointer, property)
    }
}

/// Borrowed walks over a component tree.
enum Walk {
    static func children(_ comp: OpaquePointer, _ kind: icalcomponent_kind = ICAL_ANY_COMPONENT) -> [OpaquePointer] {
        var result: [OpaquePointer] = []
        var child = icalcomponent_get_first_component(comp, kind)
        while let c = child {
            result.append(c)
            child = icalcomponent_get_next_component(comp, kind)
        }
        return result
    }

    static func properties(_ comp: OpaquePointer, _ kind: icalproperty_kind) -> [OpaquePointer] {
        var result: [OpaquePointer] = []
        var prop = icalcomponent_get_first_property(comp, kind)
        while let p = prop {
            result.append(p)
            prop = icalcomponent_get_next_property(comp, kind)
        }
        return result
    }

    static func parameter(_ prop: OpaquePointer, _ kind: icalparameter_kind) -> OpaquePointer? {
        icalproperty_get_first_parameter(prop, kind)
    }

    static func kindName(_ comp: OpaquePointer) -> String {
        guard let name = icalcomponent_kind_to_string(icalcomponent_isa(comp)) else { return "component" }
        return String(cString: name)
    }
}

/// Conversions between libical's `icaltimetype` and Retreat's values.
enum TimeConversion {
    static func icalTime(_ local: LocalDateTime) -> icaltimetype {
        var t = icaltime_null_time()
        t.year = Int32(local.date.year)
        t.month = Int32(local.date.month)
        t.day = Int32(local.date.day)
        t.hour = Int32(local.hour)
        t.minute = Int32(local.minute)
        t.second = Int32(local.second)
        t.is_date = 0
        return t
    }

    static func icalDate(_ date: ICalDate) -> icaltimetype {
        var t = icaltime_null_date()
        t.year = Int32(date.year)
        t.month = Int32(date.month)
        t.day = Int32(date.day)
        return t
    }

    static func icalUTC(_ local: LocalDateTime) -> icaltimetype {
        var t = icalTime(local)
        t.zone = icaltimezone_get_utc_timezone()
        return t
    }

    static func local(_ t: icaltimetype) -> LocalDateTime {
        LocalDateTime(
            year: Int(t.year), month: Int(t.month), day: Int(t.day),
            hour: Int(t.hour), minute: Int(t.minute), second: Int(t.second))
    }

    /// Reads a DATE/DATE-TIME property value with its TZID parameter.
    static func value(_ t: icaltimetype, property: OpaquePointer) -> ICalDateTime {
        if t.is_date != 0 {
            return .date(ICalDate(year: Int(t.year), month: Int(t.month), day: Int(t.day)))
        }
        if icaltime_is_utc(t) != 0 { return .utc(local(t)) }
        if let param = Walk.parameter(property, ICAL_TZID_PARAMETER), let tz = icalparameter_get_tzid(param) {
            return .zoned(local(t), tzid: String(cString: tz))
        }
        return .floating(local(t))
    }

    /// Builds the `icaltimetype` for a value and adds a TZID parameter to `property` when zoned.
    static func apply(_ value: ICalDateTime, to property: OpaquePointer) {
        if case .zoned(_, let tzid) = value {
            icalproperty_add_parameter(property, icalparameter_new_tzid(tzid))
        }
    }

    static func icalValue(_ value: ICalDateTime) -> icaltimetype {
        switch value {
        case .date(let d): return icalDate(d)
        case .utc(let l): return icalUTC(l)
        case .floating(let l), .zoned(let l, _): return icalTime(l)
        }
    }
}

/// libical 3.0's built-in time zone cache and some of its globals are not safe to use from several
/// threads at once (two threads loading zones crash in `icaltimezone_get_builtin_timezone`, found by the
/// test suite under AddressSanitizer). Every public entry point of this module runs under this one lock.
enum Libical {
    private static let lock = NSRecursiveLock()

    static func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
