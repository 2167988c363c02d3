#!/usr/bin/env bash
# Issue 15's measurements, SQLite and PostgreSQL side by side in one run (`make bench-store`, which starts a
# throwaway PostgreSQL cluster with its default durability settings and sets RETREAT_TEST_POSTGRES/PGPASSWORD).
#   1. race: 8 `retreat book` processes for one slot, 20 rounds: exactly one winner every round; then two
#      `retreat serve` processes on the same store, 16 concurrent holds for one date split across both, 20 rounds;
#   2. stress: 8 worker processes × 200 mixed operations, operations/s, invariants checked afterwards;
#   3. availability over 10 years × 20 resources through each store, next to process start-up (RetreatBench);
#      both stores are seeded by the same generator and must report the same number of free starts.
# Usage: Benchmarks/store/run.sh BUILD_DIR (with .../retreat, RetreatStress and RetreatBench built in release).
set -euo pipefail
build=${1:-.build/release}
if [ -z "${RETREAT_TEST_POSTGRES:-}" ]; then
  echo "bench-store: RETREAT_TEST_POSTGRES is not set (make bench-store starts a cluster); PostgreSQL column skipped" >&2
fi
out=$(mktemp -d /tmp/retreat-bench-store.XXXXXX)
trap 'rm -rf "$out"' EXIT
schema() { echo "$RETREAT_TEST_POSTGRES?schema=bench_$1_$$"; }

stores=(sqlite)
[ -n "${RETREAT_TEST_POSTGRES:-}" ] && stores+=(postgres)
status=0
for s in "${stores[@]}"; do
  if [ "$s" = sqlite ]; then race_db="$out/race.sqlite"; stress_db="$out/stress.sqlite"; bench_db="$out/bench.sqlite"; else
    race_db=$(schema race); stress_db=$(schema stress); bench_db=$(schema avail)
  fi
  if [ "$s" = sqlite ]; then serve_db="$out/serve.sqlite"; else serve_db=$(schema serve); fi
  echo "== $s" >&2
  "$build/RetreatStress" race --binary "$build/retreat" --db "$race_db" --rounds "${RACE_ROUNDS:-20}" --contenders 8 | tee "$out/$s.race" || status=1
  "$(dirname "$0")/serve_race.py" "$build/retreat" "$serve_db" "${RACE_ROUNDS:-20}" 16 | tee "$out/$s.serve" || status=1
  "$build/RetreatStress" "${STRESS_OPS:-200}" --db "$stress_db" | tee "$out/$s.stress" || status=1
  "$build/RetreatBench" "$build/retreat" --db "$bench_db" | tee "$out/$s.bench" || status=1
done

echo
echo "Side by side (medians; same machine, same run):"
printf '%-44s %14s %14s\n' "" "SQLite" "PostgreSQL"
row() { printf '%-44s %14s %14s\n' "$1" "$2" "${3:--}"; }
# The last number in the first line matching $3 of store $1's output $2.
get() { [ -f "$out/$1.$2" ] && grep -oE "$3" "$out/$1.$2" | head -1 | grep -oE '[0-9.]+' | tail -1 || true; }
row "race rounds with exactly one winner" "$(grep -oE '[0-9]+/[0-9]+ rounds' "$out/sqlite.race" | head -1)" \
  "$( [ -f "$out/postgres.race" ] && grep -oE '[0-9]+/[0-9]+ rounds' "$out/postgres.race" | head -1)"
row "two serve processes: rounds with one 201" "$(grep -oE '[0-9]+/[0-9]+ rounds' "$out/sqlite.serve" | head -1)" \
  "$( [ -f "$out/postgres.serve" ] && grep -oE '[0-9]+/[0-9]+ rounds' "$out/postgres.serve" | head -1)"
row "two serve processes: median round (16 holds), ms" "$(get sqlite serve 'median round [0-9]+')" "$(get postgres serve 'median round [0-9]+')"
row "race: median round (8 processes), ms" "$(get sqlite race 'median round [0-9]+')" "$(get postgres race 'median round [0-9]+')"
row "stress: operations/s (8 × ${STRESS_OPS:-200})" "$(get sqlite stress '→ [0-9]+')" "$(get postgres stress '→ [0-9]+')"
row "stress: conflicts (exit 3)" "$(get sqlite stress 'conflicts \(exit 3\): [0-9]+')" "$(get postgres stress 'conflicts \(exit 3\): [0-9]+')"
row "availability: free starts found" "$(get sqlite bench '[0-9]+ free')" "$(get postgres bench '[0-9]+ free')"
row "availability: store query, ms" "$(get sqlite bench 'read \+ query\) +[0-9.]+')" "$(get postgres bench 'read \+ query\) +[0-9.]+')"
row "retreat --version (start-up), ms" "$(get sqlite bench 'start-up\) +[0-9.]+')" "$(get postgres bench 'start-up\) +[0-9.]+')"
row "retreat availability --json (process), ms" "$(get sqlite bench '\(process\) +[0-9.]+')" "$(get postgres bench '\(process\) +[0-9.]+')"
row "retreat availability, one day (process), ms" "$(get sqlite bench 'one day \(process\) +[0-9.]+')" "$(get postgres bench 'one day \(process\) +[0-9.]+')"
row "seeding 2,000 bookings + 500 blackouts, ms" "$(get sqlite bench 'took [0-9]+')" "$(get postgres bench 'took [0-9]+')"
row "ratio store query / start-up" "$(get sqlite bench 'store query / start-up +[0-9.]+')" "$(get postgres bench 'store query / start-up +[0-9.]+')"
row "ratio availability command / start-up" "$(get sqlite bench 'command / start-up +[0-9.]+')" "$(get postgres bench 'command / start-up +[0-9.]+')"
if [ -f "$out/postgres.bench" ] && [ "$(get sqlite bench '[0-9]+ free')" != "$(get postgres bench '[0-9]+ free')" ]; then
  echo "FAIL: the two stores found different free starts; the availability figures do not compare" >&2
  status=1
fi
exit $status
