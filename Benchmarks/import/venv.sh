#!/usr/bin/env bash
# Creates the one Python venv the project's comparisons use, when it is missing: the iCalendar validator's
# parsers (icalendar, ical, vobject, ics, recurring-ical-events, x-wr-timezone from PyPI, pinned), which the
# corpus test and the import benchmark use too. Usage: Benchmarks/import/venv.sh [DIR] (default .build/icsval).
# Exit 1 when Python, venv or pip is unavailable: callers then say they skipped.
set -euo pipefail
VENV=${1:-.build/icsval}
IMPORTS="import icalendar, ical, vobject, ics, recurring_ical_events, x_wr_timezone"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "$IMPORTS" 2>/dev/null; then exit 0; fi
command -v python3 >/dev/null || { echo "python3 is not installed" >&2; exit 1; }
python3 -m venv "$VENV" || { echo "python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
echo "installing: the pinned iCalendar parsers into $VENV"
"$VENV/bin/pip" install -q icalendar==7.3.2 ical==14.3.1 vobject==0.9.9 ics==0.7.3 recurring-ical-events==3.8.2 x-wr-timezone==2.0.1
"$VENV/bin/python" -c "$IMPORTS"
