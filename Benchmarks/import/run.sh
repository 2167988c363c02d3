#!/usr/bin/env bash
# Import benchmark, like for like: a generated 50,000-VEVENT staff calendar imported over 2027-2029 by
#   1. `retreat blackout import` (release build),
#   2. import_c, a C program on libical + SQLite doing the same work (parse, zones, expansion in the window,
#      mapping to the same rows, one transaction with one prepared statement),
#   3. Python: icalendar + recurring-ical-events doing the same work, rows written with sqlite3.
# Each writes into its own fresh Retreat store (created by `retreat init`, so the schema is the same). The rows
# of the three stores are compared first: the times are printed only when all three stored the same rows.
# Wall time and peak RSS come from /usr/bin/time. Each round runs Retreat, then C, then (in the first PY_RUNS
# rounds) Python, one process at a time. A ratio is the median of the rounds' own ratios: a shared machine's slow
# spells then move both sides of a ratio together. Times and memory are medians of all runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-7}
PY_RUNS=${PY_RUNS:-3}
COUNT=${COUNT:-50000}
WORK=${WORK:-/tmp/retreat-import-bench}
VENV=${VENV:-.build/icsval}
FROM=2027-01-01 TO=2029-12-31 ZONE=America/New_York DAY_START=09:00 DAY_END=17:00
mkdir -p "$WORK"
command -v /usr/bin/time >/dev/null || apt-get install -y time >/dev/null
command -v sqlite3 >/dev/null || apt-get install -y sqlite3 >/dev/null
pkg-config --exists sqlite3 || apt-get install -y libsqlite3-dev >/dev/null
python3 Benchmarks/import/make_calendar.py "$WORK/cal50k.ics" "$COUNT" >/dev/null 2>&1
gcc -O2 Benchmarks/import/import_c.c -o "$WORK/import_c" $(pkg-config --cflags --libs libical sqlite3)
swift build -c release --product retreat >/dev/null
Benchmarks/import/venv.sh "$VENV" >/dev/null

fresh() {  # a new, empty Retreat store at $1
  rm -f "$1" "$1"-wal "$1"-shm
  RETREAT_DB="$1" RETREAT_NOW=2026-12-01T15:00:00Z .build/release/retreat init --config Fixtures/practice.toml >/dev/null
}
rows() {  # the stored rows, in a fixed order (ids left out: they depend on insertion order)
  sqlite3 "$1" "SELECT from_day, to_day, ifnull(resource, '-'), reason, source, uid, recurrence_id, ifnull(starts_at, '-'), ifnull(ends_at, '-') FROM blackouts ORDER BY uid, recurrence_id"
}
measure() {  # prints "seconds peak-KiB"
  /usr/bin/time -f "%e %M" -o "$WORK/t" "$@" >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }
  cat "$WORK/t"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

retreat_import() {
  measure env RETREAT_DB="$1" RETREAT_NOW=2026-12-01T15:00:00Z .build/release/retreat blackout import "$WORK/cal50k.ics" --from $FROM --to $TO
}
c_import() { measure "$WORK/import_c" "$WORK/cal50k.ics" "$1" $FROM $TO $ZONE $DAY_START $DAY_END; }
py_import() { measure "$VENV/bin/python" Benchmarks/import/import_python.py "$WORK/cal50k.ics" "$1" $FROM $TO $ZONE $DAY_START $DAY_END; }

: >"$WORK/retreat.txt"; : >"$WORK/c.txt"; : >"$WORK/py.txt"
have_python=0
if [ "$PY_RUNS" -gt 0 ] && "$VENV/bin/python" -c "import icalendar, recurring_ical_events" 2>/dev/null; then have_python=1; fi
for i in $(seq "$RUNS"); do
  fresh "$WORK/retreat.sqlite"; retreat_import "$WORK/retreat.sqlite" >>"$WORK/retreat.txt"
  fresh "$WORK/c.sqlite"; c_import "$WORK/c.sqlite" >>"$WORK/c.txt"
  if [ "$have_python" = 1 ] && [ "$i" -le "$PY_RUNS" ]; then fresh "$WORK/py.sqlite"; py_import "$WORK/py.sqlite" >>"$WORK/py.txt"; fi
done

# Agreement first: the same rows in every store, or no figures at all.
rows "$WORK/retreat.sqlite" >"$WORK/retreat.rows"
rows "$WORK/c.sqlite" >"$WORK/c.rows"
n=$(wc -l <"$WORK/retreat.rows")
if ! cmp -s "$WORK/retreat.rows" "$WORK/c.rows"; then
  echo "DISAGREEMENT: Retreat and the C program stored different rows:" >&2
  diff "$WORK/retreat.rows" "$WORK/c.rows" | head -20 >&2
  exit 1
fi
agree="Retreat = C"
if [ "$have_python" = 1 ]; then
  rows "$WORK/py.sqlite" >"$WORK/py.rows"
  if ! cmp -s "$WORK/retreat.rows" "$WORK/py.rows"; then
    echo "DISAGREEMENT: Retreat and Python stored different rows:" >&2
    diff "$WORK/retreat.rows" "$WORK/py.rows" | head -20 >&2
    exit 1
  fi
  agree="Retreat = C = Python"
fi
echo "agreement: $agree, $n rows each (sha1 $(sha1sum <"$WORK/retreat.rows" | cut -c1-12))"

rt=$(cut -d' ' -f1 "$WORK/retreat.txt" | median); rm_=$(cut -d' ' -f2 "$WORK/retreat.txt" | median)
ct=$(cut -d' ' -f1 "$WORK/c.txt" | median); cm=$(cut -d' ' -f2 "$WORK/c.txt" | median)
# Per-round ratios (line i of one file against line i of the other), then their median.
ratios() { paste -d' ' "$1" "$2" | awk -v col="$3" 'NF >= 4 {print $col / $(col + 2)}' | median; }
echo "$COUNT VEVENTs ($(du -h "$WORK/cal50k.ics" | cut -f1)), window $FROM..$TO, $RUNS rounds (medians):"
printf "  %-58s %7.2f s %7.0f MiB\n" "retreat blackout import" "$rt" "$(echo "$rm_/1024" | bc -l)"
printf "  %-58s %7.2f s %7.0f MiB\n" "C on libical + SQLite (same work)" "$ct" "$(echo "$cm/1024" | bc -l)"
printf "  %-58s %7.2f x %7.2f x\n" "Retreat / C, per round (goal: at most 1.30 x time, memory)" \
  "$(ratios "$WORK/retreat.txt" "$WORK/c.txt" 1)" "$(ratios "$WORK/retreat.txt" "$WORK/c.txt" 2)"
if [ "$have_python" = 1 ]; then
  pt=$(cut -d' ' -f1 "$WORK/py.txt" | median); pm=$(cut -d' ' -f2 "$WORK/py.txt" | median)
  printf "  %-58s %7.2f s %7.0f MiB\n" "Python icalendar + recurring-ical-events ($PY_RUNS round(s))" "$pt" "$(echo "$pm/1024" | bc -l)"
  printf "  %-58s %7.2f x\n" "Python / Retreat, per round (goal: at least 15 x)" "$(ratios "$WORK/py.txt" "$WORK/retreat.txt" 1)"
else
  echo "  Python: skipped (icalendar / recurring-ical-events could not be installed)"
fi
