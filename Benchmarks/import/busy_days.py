#!/usr/bin/env python3
"""Reference rows for one calendar, from icalendar + recurring-ical-events (the corpus test's oracle).

usage: python busy_days.py FILE.ics FROM TO ZONE HH:MM HH:MM
Prints one line per busy occurrence that blocks an intensive day: FROM_DAY TO_DAY UID RECURRENCE_ID (tab
separated), with the same rules as import_python.py. Exit 3 when the reference itself cannot read the file.
"""
import datetime as dt
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from import_python import rows_for  # noqa: E402


def main(argv):
    if len(argv) != 7:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    h1, m1 = map(int, argv[5].split(":"))
    h2, m2 = map(int, argv[6].split(":"))
    try:
        rows = rows_for(argv[1], dt.date.fromisoformat(argv[2]), dt.date.fromisoformat(argv[3]), argv[4],
                        dt.time(h1, m1), dt.time(h2, m2))
    except Exception as error:  # the reference crashes on some real files
        print(f"reference failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 3
    for (lo, hi, uid, rid) in rows:
        print(f"{lo}\t{hi}\t{uid}\t{rid}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
