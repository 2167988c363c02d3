#!/usr/bin/env python3
"""Write a deterministic, staff-calendar-shaped .ics for import benchmarks.

usage: python3 make_calendar.py OUT.ics [COUNT]        (COUNT defaults to 50000)

COUNT is the number of VEVENT components in the file (RECURRENCE-ID overrides included).
Shape, by component:
  * ~85 % single timed events, 2027-01-01 .. 2029-12-31, TZID=America/New_York,
    07:00-19:45 starts on quarter hours, 15 min .. 3 h long;
  * ~10 % all-day events (VALUE=DATE, 1-5 days, DTEND exclusive);
  * ~5 % recurring masters: weekly (70 %, some with BYDAY=MO,WE / TU,TH) or daily (30 %),
    ending by COUNT (2-20) or by a UTC UNTIL; about a third carry 1-2 EXDATEs and about a fifth
    get a RECURRENCE-ID override (a separate VEVENT with the same UID, moved 1-3 hours later);
  * ~3 % TRANSP:TRANSPARENT, ~2 % STATUS:CANCELLED, ~30 % with a VALARM, some long
    DESCRIPTIONs with non-ASCII text so folding is exercised.
One VTIMEZONE (America/New_York). UIDs are unique per series. CRLF line ends; lines folded at
75 octets without splitting UTF-8 sequences. Same arguments -> byte-identical output.
Python standard library only.
"""
from __future__ import annotations

import datetime as dt
import random
import sys

SEED = 20270101
START = dt.date(2027, 1, 1)
DAYS = (dt.date(2029, 12, 31) - START).days + 1
TZ = "TZID=America/New_York"
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
SUMMARIES = [
    "Couples session", "Individual session", "Intake call", "Supervision", "Case consultation",
    "Team meeting", "Peer group", "Dentist", "School pickup", "Training", "Lunch with referral "
    "partner", "Insurance call", "Workshop prep", "Doctor’s appointment", "Café meeting – Zoë",
    "Gym", "Board meeting", "Court testimony", "Parent-teacher conference", "Errands",
]
LOCATIONS = ["", "", "", "Room 1", "Room 2", "Video call", "Main office\\, 2nd floor",
             "Example Clinic\\, 100 Example Ave\\, New York\\, NY 10001"]
LONG_DESC = ("Please arrive ten minutes early. Parking is available behind the building\\; "
             "the entrance code is at the front desk. Notes: résumé review\\, naïve questions "
             "welcome — bring the intake packet and the signed consent forms.")

VTIMEZONE = [
    "BEGIN:VTIMEZONE", "TZID:America/New_York", "X-LIC-LOCATION:America/New_York",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400", "TZNAME:EDT",
    "DTSTART:19700308T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500", "TZNAME:EST",
    "DTSTART:19701101T020000", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD",
    "END:VTIMEZONE",
]


def fold(line: str) -> bytes:
    raw = line.encode("utf-8")
    parts, limit = [], 75
    while len(raw) > limit:
        cut = limit
        while (raw[cut] & 0xC0) == 0x80:
            cut -= 1
        parts.append(raw[:cut])
        raw = raw[cut:]
        limit = 74
    parts.append(raw)
    return b"\r\n ".join(parts) + b"\r\n"


def fmt(t: dt.datetime) -> str:
    return t.strftime("%Y%m%dT%H%M%S")


def utc_until(t: dt.datetime) -> str:
    # close enough for an end bound: NY local + 5 h (EST) / + 4 h (EDT); pick +5 h, i.e. the
    # bound sits at or after the local time in both seasons
    return (t + dt.timedelta(hours=5)).strftime("%Y%m%dT%H%M%SZ")


class Gen:
    def __init__(self, count: int):
        self.r = random.Random(SEED)
        self.count = count
        self.n = 0
        self.uidn = 0

    def uid(self) -> str:
        self.uidn += 1
        return f"{self.uidn:07d}-{self.r.getrandbits(64):016x}@bench.retreat.example"

    def common(self, uid: str, seq: int = 0) -> list[str]:
        r = self.r
        created = dt.datetime(2026, 1, 1) + dt.timedelta(minutes=r.randrange(525600))
        L = [f"DTSTAMP:{created.strftime('%Y%m%dT%H%M%SZ')}", f"UID:{uid}",
             f"CREATED:{created.strftime('%Y%m%dT%H%M%SZ')}"]
        if r.random() < 0.15:
            L.append(f"DESCRIPTION:{LONG_DESC}")
        loc = r.choice(LOCATIONS)
        if loc:
            L.append(f"LOCATION:{loc}")
        L.append(f"SEQUENCE:{seq}")
        L.append("STATUS:CANCELLED" if r.random() < 0.02 else "STATUS:CONFIRMED")
        L.append(f"SUMMARY:{r.choice(SUMMARIES)}")
        L.append("TRANSP:TRANSPARENT" if r.random() < 0.03 else "TRANSP:OPAQUE")
        if r.random() < 0.30:
            L += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:This is an event reminder",
                  f"TRIGGER:-P0DT0H{r.choice([5, 10, 15, 30])}M0S", "END:VALARM"]
        return L

    def timed_start(self) -> tuple[dt.datetime, dt.timedelta]:
        r = self.r
        day = START + dt.timedelta(days=r.randrange(DAYS))
        start = dt.datetime.combine(day, dt.time(7 + r.randrange(13), 15 * r.randrange(4)))
        return start, dt.timedelta(minutes=15 * r.randint(1, 12))

    def single(self) -> list[str]:
        s, d = self.timed_start()
        self.n += 1
        return (["BEGIN:VEVENT", f"DTSTART;{TZ}:{fmt(s)}", f"DTEND;{TZ}:{fmt(s + d)}"]
                + self.common(self.uid()) + ["END:VEVENT"])

    def allday(self) -> list[str]:
        r = self.r
        day = START + dt.timedelta(days=r.randrange(DAYS))
        end = day + dt.timedelta(days=r.choice([1, 1, 1, 1, 2, 3, 5]))
        self.n += 1
        return (["BEGIN:VEVENT", f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                 f"DTEND;VALUE=DATE:{end:%Y%m%d}"] + self.common(self.uid()) + ["END:VEVENT"])

    def recurring(self) -> list[str]:
        r = self.r
        s, d = self.timed_start()
        weekly = r.random() < 0.7
        step = dt.timedelta(days=7 if weekly else 1)
        byday = ""
        if weekly and r.random() < 0.25:  # two days a week: keep DTSTART on the first one
            pair = r.choice([("MO", "WE"), ("TU", "TH")])
            first = WEEKDAYS.index(pair[0])
            s -= dt.timedelta(days=(s.weekday() - first) % 7)
            byday = ";BYDAY=" + ",".join(pair)
        n_inst = r.randint(2, 20)
        if r.random() < 0.5:
            end_rule = f"COUNT={n_inst}"
        else:
            end_rule = f"UNTIL={utc_until(s + step * (n_inst - 1))}"
        rule = f"RRULE:FREQ={'WEEKLY' if weekly else 'DAILY'};{end_rule}{byday}"
        uid = self.uid()
        # instances that certainly exist: DTSTART + k*step for k < valid (with two BYDAY days and a
        # COUNT, only the first n_inst // 2 weeks are sure to exist)
        valid = n_inst // 2 if (byday and end_rule.startswith("COUNT")) else n_inst
        ks = list(range(1, valid))
        r.shuffle(ks)
        L = ["BEGIN:VEVENT", f"DTSTART;{TZ}:{fmt(s)}", f"DTEND;{TZ}:{fmt(s + d)}", rule]
        if ks and r.random() < 0.33:
            for k in sorted(ks[:r.randint(1, 2)]):
                L.append(f"EXDATE;{TZ}:{fmt(s + step * k)}")
            ks = ks[2:]
        L += self.common(uid) + ["END:VEVENT"]
        self.n += 1
        if ks and r.random() < 0.2 and self.n < self.count:
            rid = s + step * ks[0]
            moved = rid + dt.timedelta(hours=r.randint(1, 3))
            L += (["BEGIN:VEVENT", f"DTSTART;{TZ}:{fmt(moved)}", f"DTEND;{TZ}:{fmt(moved + d)}",
                   f"RECURRENCE-ID;{TZ}:{fmt(rid)}"] + self.common(uid, seq=1) + ["END:VEVENT"])
            self.n += 1
        return L

    def events(self):
        while self.n < self.count:
            x = self.r.random()
            if x < 0.85:
                yield self.single()
            elif x < 0.95:
                yield self.allday()
            else:
                yield self.recurring()


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    count = int(argv[2]) if len(argv) == 3 else 50000
    head = ["BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
            "VERSION:2.0", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "X-WR-CALNAME:Benchmark staff calendar", "X-WR-TIMEZONE:America/New_York"]
    g = Gen(count)
    with open(argv[1], "wb") as f:
        f.write(b"".join(fold(l) for l in head + VTIMEZONE))
        for ev in g.events():
            f.write(b"".join(fold(l) for l in ev))
        f.write(fold("END:VCALENDAR"))
    print(f"wrote {argv[1]}: {g.n} VEVENT components, {g.uidn} UIDs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
