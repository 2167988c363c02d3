#!/usr/bin/env bash
# Creates the Python venv the import comparisons use (icalendar + recurring-ical-events from PyPI, pinned),
# when it is missing. Usage: Benchmarks/import/venv.sh [DIR] (default .build/ics-venv). Exit 1 when Python,
# venv or pip is unavailable: callers then say they skipped.
set -euo pipefail
VENV=${1:-.build/ics-venv}
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import icalendar, recurring_ical_events" 2>/dev/null; then exit 0; fi
command -v python3 >/dev/null || { echo "python3 is not installed" >&2; exit 1; }
python3 -m venv "$VENV" || { echo "python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
"$VENV/bin/pip" install -q icalendar==7.3.2 recurring-ical-events==3.8.2
"$VENV/bin/python" -c "import icalendar, recurring_ical_events"
