#!/usr/bin/env bash
# Load benchmark of `retreat serve` (make bench-serve): wrk against the staff feed, the couples' page and the staff
# API on loopback, next to nginx serving the very same feed bytes as a static file, measured in one run, each
# target RUNS times in turn; medians of requests/s and p99 latency, and the ratios to nginx. Then RACE_ROUNDS
# rounds of RACE_CLIENTS concurrent holds for one start date: exactly one must win each round.
# Usage: Benchmarks/serve/run.sh PATH/TO/retreat   (wrk and nginx-light are installed from Debian when missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
RETREAT=$(realpath "${1:-.build/release/retreat}")
SECONDS_EACH=${BENCH_SECONDS:-10}
RUNS=${BENCH_RUNS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
RACE_ROUNDS=${RACE_ROUNDS:-20}
RACE_CLIENTS=${RACE_CLIENTS:-16}

SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
missing=""
command -v wrk >/dev/null || missing="$missing wrk"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v curl >/dev/null || missing="$missing curl"
if [ -n "$missing" ]; then
  echo "installing:$missing"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

WORK=$(mktemp -d /tmp/retreat-bench-serve.XXXXXX)
SERVER_PID=""; NGINX_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

export RETREAT_DB=$WORK/retreat.sqlite RETREAT_NOW=2026-12-01T15:00:00Z RETREAT_ACTOR=bench
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# A year of a busy practice: every free start on both resources booked (confirmed, some held) and a few series.
sed 's/^resources = \["practice"\]/resources = ["practice", "annex"]/' Fixtures/practice.toml > "$WORK/practice.toml"
cat >> "$WORK/practice.toml" <<'TOML'

[[counselors]]
name = "annex"
timeZone = "America/New_York"
hours = "mon-fri 08:00-18:00"
TOML
cp Fixtures/agenda-modules.toml "$WORK/"
"$RETREAT" init --config "$WORK/practice.toml" >/dev/null
"$RETREAT" sessions book --couple "Series A" --counselor practice --start 2027-03-04T12:00 --length 50 --every week --count 20 >/dev/null
# Availability does not know about counseling sessions (booking refuses a start whose days meet one), so each
# round books the first listed start that the booking accepts.
python3 - "$RETREAT" <<'PY'
import json, subprocess, sys
retreat, n = sys.argv[1], 0
for resource in ["practice", "annex"]:
    tried = set()
    while True:
        slots = json.loads(subprocess.run([retreat, "availability", "--from", "2026-12-15", "--to", "2027-11-30", "--resource", resource, "--json"],
                                          capture_output=True, text=True, check=True).stdout)
        for slot in slots:
            if slot["start"] in tried: continue
            tried.add(slot["start"])
            hold = ["--hold"] if (n + 1) % 5 == 0 else []
            r = subprocess.run([retreat, "book", "--couple", f"Couple {n + 1}", "--contact", f"c{n + 1}@example.org", "--start", slot["start"],
                                "--resource", resource, "--priority", "communication"] + hold, capture_output=True, text=True)
            if r.returncode == 0:
                n += 1
                break
            if r.returncode != 3: sys.exit(f"book failed: {r.stderr}")
        else:
            break
PY
BOOKINGS=$("$RETREAT" list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')

PORT=$(free_port); NPORT=$(free_port)
FEED_PATH=$("$RETREAT" feeds create staff --base-url "http://127.0.0.1:$PORT" --json | python3 -c 'import json,sys; u=json.load(sys.stdin)["url"]; print(u[u.index("/feeds/"):])')
TOKEN=$("$RETREAT" tokens create --role staff --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
"$RETREAT" serve --port "$PORT" --threads 4 --requests-per-ip 1000000 > "$WORK/serve.out" 2> "$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done

# nginx serves the same bytes the server answers, as a static file.
mkdir -p "$WORK/www/feeds" "$WORK/nginx"
curl -sf "http://127.0.0.1:$PORT$FEED_PATH" -o "$WORK/www$FEED_PATH"
chmod 755 "$WORK" "$WORK/www" "$WORK/www/feeds"; chmod 644 "$WORK/www$FEED_PATH"   # nginx's workers run as nobody
cat > "$WORK/nginx/nginx.conf" <<NGINX
daemon off;
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  types { text/calendar ics; }
  access_log $WORK/nginx/access.log;
  client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
  server { listen 127.0.0.1:$NPORT; root $WORK/www; charset utf-8; }
}
NGINX
"$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$NPORT$FEED_PATH" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$NPORT$FEED_PATH" >/dev/null || { echo "nginx did not serve the feed:"; cat "$WORK/nginx/error.log"; exit 1; }

# Both sides must do the same work: the same feed bytes.
A=$(curl -sf "http://127.0.0.1:$PORT$FEED_PATH" | sha256sum | cut -c1-16)
B=$(curl -sf "http://127.0.0.1:$NPORT$FEED_PATH" | sha256sum | cut -c1-16)
[ "$A" = "$B" ] || { echo "the feed differs between retreat ($A) and nginx ($B)"; exit 1; }
FEED_BYTES=$(stat -c %s "$WORK/www$FEED_PATH")
EVENTS=$(grep -c "BEGIN:VEVENT" "$WORK/www$FEED_PATH")
curl -sf "http://127.0.0.1:$PORT/" | grep -q "Choose a start date" || { echo "the couples' page did not answer"; exit 1; }
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/availability?from=2027-01-01&to=2027-12-31" >/dev/null \
  || { echo "the API did not answer"; exit 1; }

declare -A URLS=(
  [nginx-feed]="http://127.0.0.1:$NPORT$FEED_PATH"
  [retreat-feed]="http://127.0.0.1:$PORT$FEED_PATH"
  [retreat-page]="http://127.0.0.1:$PORT/"
  [retreat-api]="http://127.0.0.1:$PORT/api/availability?from=2027-01-01&to=2027-12-31"
)
ORDER="nginx-feed retreat-feed retreat-page retreat-api"
cat > "$WORK/auth.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
LUA
echo "store: $BOOKINGS bookings on 2 resources; staff feed $FEED_BYTES bytes, $EVENTS events (same sha256 from both servers)"
echo "wrk: 2 threads, $CONNECTIONS connections, ${SECONDS_EACH}s per run, $RUNS runs per target, in turn; $(nproc) cores shared by wrk and the server"
for run in $(seq "$RUNS"); do
  for name in $ORDER; do
    script=""; [ "$name" = retreat-api ] && script="-s $WORK/auth.lua"
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency $script "${URLS[$name]}" > "$WORK/wrk-$name-$run.txt"
    if grep -q "Non-2xx" "$WORK/wrk-$name-$run.txt"; then echo "$name answered errors:"; cat "$WORK/wrk-$name-$run.txt"; exit 1; fi
  done
done

python3 - "$WORK" "$RUNS" $ORDER <<'PY'
import re, statistics, sys
work, runs, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def ms(v, unit): return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rows = {}
for name in names:
    rps, p99 = [], []
    for run in range(1, runs + 1):
        text = open(f"{work}/wrk-{name}-{run}.txt").read()
        rps.append(float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)))
        v, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", text).groups()
        p99.append(ms(v, unit))
    rows[name] = (statistics.median(rps), statistics.median(p99))
base = rows["nginx-feed"]
labels = {"nginx-feed": "nginx: staff feed as a static file", "retreat-feed": "retreat serve: staff feed (/feeds/TOKEN.ics)",
          "retreat-page": "retreat serve: couples' page (/)", "retreat-api": "retreat serve: API availability for a year"}
print("\n| target | requests/s (median) | p99 latency (median) | requests/s ÷ nginx |")
print("|---|---|---|---|")
for name in names:
    r, p = rows[name]
    print(f"| {labels[name]} | {r:,.0f} | {p:.2f} ms | {r / base[0]:.2f} |")
PY

# The race: RACE_CLIENTS concurrent holds for one date per round, over the API (one winner, the rest 409).
python3 - "$PORT" "$TOKEN" "$RACE_ROUNDS" "$RACE_CLIENTS" "$RETREAT" <<'PY'
import json, statistics, subprocess, sys, threading, time, urllib.request, urllib.error
port, token, rounds, clients, retreat = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
# Free starts on 2028 dates beyond the bookings above are refused by the horizon, so cancel and reuse: each round
# picks the first free start the API reports.
def call(method, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r: return r.status, json.load(r)
    except urllib.error.HTTPError as e: return e.code, json.load(e)
bad, times, winners = 0, [], 0
for i in range(rounds):
    ids = [b["id"] for b in call("GET", "/api/bookings?status=confirmed")[1]]
    victim = ids[i % len(ids)]
    start = call("POST", f"/api/bookings/{victim}/cancel", {"reason": "bench"})[1]["start"]
    results, barrier = [], threading.Barrier(clients)
    def hold(k):
        barrier.wait()
        results.append(call("POST", "/api/bookings", {"couple": f"Race {i}-{k}", "start": start, "hold": True})[0])
    threads = [threading.Thread(target=hold, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    times.append((time.perf_counter() - t0) * 1000)
    won = results.count(201)
    winners += won
    if won != 1 or results.count(409) != clients - 1: bad += 1; print(f"round {i}: {sorted(results)}")
check = subprocess.run([retreat, "list", "--status", "held", "--json"], capture_output=True, text=True)
print(f"\nrace: {rounds} rounds × {clients} concurrent holds for one date: {winners} winners, "
      f"{rounds - bad}/{rounds} rounds with exactly one 201 and {clients - 1} × 409; median {statistics.median(times):.0f} ms per round")
sys.exit(1 if bad else 0)
PY
echo "server log: $(wc -l < "$WORK/serve.log") request lines; no names in it: $(grep -c 'Couple\|example.org' "$WORK/serve.log" || true) matches"
