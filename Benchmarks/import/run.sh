#!/usr/bin/env bash
# Import benchmark: a 50,000-event calendar with recurrences, imported by `retreat blackout import`
# (release build), next to a plain C program that only parses the same file with libical (the floor) and,
# when it can be installed, Python's icalendar parsing it (+ recurring-ical-events expanding it).
# Reports medians of RUNS runs (wall time and peak RSS from /usr/bin/time) and the ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-5}
WORK=${WORK:-/tmp/retreat-import-bench}
mkdir -p "$WORK"
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
python3 Benchmarks/import/make_calendar.py "$WORK/cal50k.ics" >/dev/null
gcc -O2 Benchmarks/import/parse_floor.c -o "$WORK/parse_floor" $(pkg-config --cflags --libs libical)
swift build -c release --product retreat >/dev/null
measure() { /usr/bin/time -f "%e %M" -o "$WORK/t" "$@" >/dev/null 2>&1; cat "$WORK/t"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
: > "$WORK/retreat.txt"; : > "$WORK/floor.txt"
for i in $(seq "$RUNS"); do
  rm -f "$WORK"/store.sqlite*
  RETREAT_DB="$WORK/store.sqlite" RETREAT_NOW=2026-12-01T15:00:00Z .build/release/retreat init --config Fixtures/practice.toml >/dev/null
  RETREAT_DB="$WORK/store.sqlite" RETREAT_NOW=2026-12-01T15:00:00Z measure .build/release/retreat blackout import "$WORK/cal50k.ics" --from 2027-01-01 --to 2029-12-31 >> "$WORK/retreat.txt"
  measure "$WORK/parse_floor" "$WORK/cal50k.ics" >> "$WORK/floor.txt"
done
rt=$(cut -d' ' -f1 "$WORK/retreat.txt" | median); rm_=$(cut -d' ' -f2 "$WORK/retreat.txt" | median)
ft=$(cut -d' ' -f1 "$WORK/floor.txt" | median); fm=$(cut -d' ' -f2 "$WORK/floor.txt" | median)
echo "50,000 VEVENTs ($(du -h "$WORK/cal50k.ics" | cut -f1)), medians of $RUNS runs:"
printf "  retreat blackout import (parse, expand 2027-2029, store)  %6.2f s  %7.0f MiB peak\n" "$rt" "$(echo "$rm_/1024" | bc -l)"
printf "  C libical parse only (floor)                               %6.2f s  %7.0f MiB peak\n" "$ft" "$(echo "$fm/1024" | bc -l)"
printf "  ratio retreat / floor                                      %6.2f x  %7.2f x memory\n" "$(echo "$rt/$ft" | bc -l)" "$(echo "$rm_/$fm" | bc -l)"
VENV=${VENV:-.build/bench-venv}
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV" && "$VENV/bin/pip" install -q icalendar==7.3.2 recurring-ical-events==3.8.2 || true; fi
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import icalendar, recurring_ical_events" 2>/dev/null; then
  read -r pt pm < <(measure "$VENV/bin/python" Benchmarks/import/parse_python.py "$WORK/cal50k.ics" 2027-01-01 2030-01-01)
  printf "  Python icalendar parse + recurring-ical-events (1 run)     %6.2f s  %7.0f MiB peak\n" "$pt" "$(echo "$pm/1024" | bc -l)"
  printf "  ratio python / floor                                       %6.2f x\n" "$(echo "$pt/$ft" | bc -l)"
fi
