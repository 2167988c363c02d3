#!/usr/bin/env python3
"""The work of `retreat blackout import`, in Python: icalendar parses, recurring-ical-events expands,
the busy occurrences become the same rows, stored into a Retreat store in one transaction.

usage: python import_python.py FILE.ics STORE.sqlite FROM TO ZONE HH:MM HH:MM
       e.g. ... cal50k.ics store.sqlite 2027-01-01 2029-12-31 America/New_York 09:00 17:00

A row is (from_day, to_day, resource, reason, source, uid, recurrence_id), as Retreat writes it:
all-day occurrences block their dates (clipped to the window); a timed one blocks the practice-local days
whose session hours it overlaps (half-open); TRANSP:TRANSPARENT and STATUS:CANCELLED are skipped;
recurrence_id is the occurrence's original start as a UTC instant (YYYY-MM-DDTHH:MM:SSZ).
"""
import datetime as dt
import os
import sqlite3
import sys
import time
import zoneinfo

import icalendar
import recurring_ical_events

UTC = dt.timezone.utc


def rows_for(path, first, last, zone, day_start, day_end, timed=False):
    """Busy rows of `path` over `first`..`last`. With `timed`, what Retreat stores: a timed occurrence taking
    time is kept as its interval (lo, hi, uid, rid, starts, ends) with the local dates of its start and last
    second; without it, the intensive days a timed occurrence blocks (the corpus oracle's rows)."""
    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    tz = zoneinfo.ZoneInfo(zone)
    floating = tz
    xwr = cal.get("X-WR-TIMEZONE")
    if xwr:
        try:
            floating = zoneinfo.ZoneInfo(str(xwr))
        except Exception:
            pass

    def local_instant(day, minutes):
        return dt.datetime.combine(day, dt.time()) .replace(tzinfo=tz) + dt.timedelta(minutes=minutes)

    def aware(value):
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=floating)
        return dt.datetime.combine(value, dt.time(), tzinfo=floating)

    sessions = {}
    d = first
    while d <= last:
        # Wall-clock 09:00 and 17:00 of that day in the practice zone.
        sessions[d] = (dt.datetime.combine(d, day_start, tzinfo=tz), dt.datetime.combine(d, day_end, tzinfo=tz))
        d += dt.timedelta(days=1)
    win_start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    win_end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    rows = []
    for occ in recurring_ical_events.of(cal).between(win_start, win_end):
        if str(occ.get("TRANSP", "")).upper() == "TRANSPARENT" or str(occ.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start = occ["DTSTART"].dt
        end = occ["DTEND"].dt if "DTEND" in occ else None
        rid = occ.get("RECURRENCE-ID")
        rid_value = rid.dt if rid is not None else start
        rid_text = aware(rid_value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        uid = str(occ.get("UID", ""))
        if not isinstance(start, dt.datetime):
            last_day = (end - dt.timedelta(days=1)) if end and end > start else start
            lo, hi = max(start, first), min(last_day, last)
            if lo <= hi:
                rows.append((lo.isoformat(), hi.isoformat(), uid, rid_text) + ((None, None) if timed else ()))
            continue
        s = aware(start)
        e = aware(end) if end is not None else s
        if e < s:
            e = s
        if timed:
            if e > s and s < win_end and e > win_start:
                cs, ce = max(s, win_start), min(e, win_end)  # kept within the window, as Retreat keeps it
                lo_day = cs.astimezone(tz).date()
                hi_day = (ce - dt.timedelta(seconds=1)).astimezone(tz).date()
                rows.append((lo_day.isoformat(), hi_day.isoformat(), uid, rid_text, cs.timestamp(), ce.timestamp()))
            continue
        hits = []
        d = max(first, s.astimezone(UTC).date() - dt.timedelta(days=1))
        stop = min(last, e.astimezone(UTC).date() + dt.timedelta(days=1))
        while d <= stop:
            a, b = sessions[d]
            if e > s and s < b and e > a:  # an event taking no time blocks nothing
                hits.append(d)
            d += dt.timedelta(days=1)
        if hits:
            rows.append((hits[0].isoformat(), hits[-1].isoformat(), uid, rid_text))
    return rows


def main(argv):
    if len(argv) != 8:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    path, store = argv[1], argv[2]
    first, last = dt.date.fromisoformat(argv[3]), dt.date.fromisoformat(argv[4])
    h1, m1 = map(int, argv[6].split(":"))
    h2, m2 = map(int, argv[7].split(":"))
    rows = rows_for(path, first, last, argv[5], dt.time(h1, m1), dt.time(h2, m2), timed=True)
    base = os.path.basename(path)
    source, reason = path, f"busy in {base}"  # Retreat keys an import by the file's path
    db = sqlite3.connect(store, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    # What Retreat's store does: a page cache sized to the import (half a KiB per row), and the lookup of an
    # occurrence already stored only when something is stored under this key.
    db.execute(f"PRAGMA cache_size = -{max(2000, min(len(rows) // 2, 512 * 1024))}")
    any_stored = db.execute("SELECT EXISTS (SELECT 1 FROM blackouts WHERE coalesce(resource, '') = coalesce(?, '') AND source = ? "
                            "AND uid IS NOT NULL)", (None, source)).fetchone()[0]
    # The statements Retreat's store runs: one row per INSERT ... VALUES (an INSERT ... SELECT would keep a statement
    # journal), and a look-up first only when something is stored under this key (so no id is used up by a conflict).
    added = 0
    for (lo, hi, uid, rid, starts, ends) in rows:
        if any_stored and db.execute("SELECT 1 FROM blackouts WHERE coalesce(resource, '') = coalesce(?, '') AND source = ? AND uid = ? "
                                     "AND recurrence_id IS ?", (None, source, uid, rid)).fetchone():
            continue
        cur = db.execute(
            "INSERT INTO blackouts (from_day, to_day, resource, reason, source, uid, recurrence_id, starts_at, ends_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (coalesce(resource, ''), source, uid, recurrence_id) WHERE uid IS NOT NULL DO NOTHING",
            (lo, hi, None, reason, source, uid, rid, starts, ends))
        added += cur.rowcount
    db.execute("INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (?, 'bench', 'blackout-import', 'blackout', ?, ?)",
               (time.time(), source, f'{{"added":"{added}","removed":"0","unchanged":"{len(rows) - added}"}}'))
    db.execute("COMMIT")
    db.close()
    print(f"{source}: {added} blackout(s) added, {len(rows) - added} already present")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
