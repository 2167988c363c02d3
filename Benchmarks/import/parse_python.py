#!/usr/bin/env python3
"""Parse an .ics with `icalendar` and expand it with `recurring-ical-events`; print timings.

usage: /tmp/icsval/bin/python parse_python.py FILE.ics [START END]
       START/END are ISO dates (default 2027-01-01 2030-01-01: the whole span make_calendar.py
       writes). Needs icalendar and recurring-ical-events (the /tmp/icsval venv has
       icalendar 7.3.2 and recurring-ical-events 3.8.2).

Prints the VEVENT component count, the number of occurrences in [START, END), the parse and
expansion times, and the process's peak RSS (ru_maxrss).
"""
import datetime as dt
import importlib.metadata
import resource
import sys
import time

import icalendar
import recurring_ical_events


def main(argv):
    if len(argv) not in (2, 4):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    start = dt.date.fromisoformat(argv[2]) if len(argv) == 4 else dt.date(2027, 1, 1)
    end = dt.date.fromisoformat(argv[3]) if len(argv) == 4 else dt.date(2030, 1, 1)

    t0 = time.perf_counter()
    with open(argv[1], "rb") as f:
        data = f.read()
    cal = icalendar.Calendar.from_ical(data)
    t1 = time.perf_counter()
    vevents = sum(1 for c in cal.subcomponents if c.name == "VEVENT")
    occurrences = recurring_ical_events.of(cal).between(start, end)
    t2 = time.perf_counter()

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"VEVENTs: {vevents}")
    print(f"occurrences in [{start}, {end}): {len(occurrences)}")
    print(f"icalendar {icalendar.__version__}, recurring-ical-events "
          f"{importlib.metadata.version('recurring-ical-events')}")
    print(f"parse {t1 - t0:.2f} s | expand {t2 - t1:.2f} s | total {t2 - t0:.2f} s | "
          f"peak RSS {peak_mib:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
