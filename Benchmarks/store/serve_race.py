#!/usr/bin/env python3
"""Two `retreat serve` processes on one store, many concurrent holds for one start date split across both.

usage: serve_race.py RETREAT DB ROUNDS CLIENTS
Initialises DB (a SQLite path or a postgres:// URL with ?schema=), creates a staff token, starts two servers on
free loopback ports, then each round sends CLIENTS holds for the first free start date at once, alternating
between the two servers. Exactly one must answer 201 and the others 409, every round; afterwards the store must
hold exactly one held booking per round. Prints one summary line; exit 1 when any round went wrong.
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main(argv):
    if len(argv) != 5:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    retreat, db, rounds, clients = argv[1], argv[2], int(argv[3]), int(argv[4])
    env = dict(os.environ, RETREAT_DB=db, RETREAT_NOW="2026-12-01T15:00:00Z", RETREAT_ACTOR="bench-race")
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

    def cli(*args):
        return subprocess.run([retreat, *args], env=env, capture_output=True, text=True, check=True).stdout

    cli("init", "--config", os.path.join(root, "Fixtures", "practice.toml"))
    token = json.loads(cli("tokens", "create", "--role", "staff", "--json"))["token"]
    ports = [free_port(), free_port()]
    servers = [subprocess.Popen([retreat, "serve", "--port", str(p), "--threads", "8"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for p in ports]
    try:
        for p in ports:
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{p}/health", timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.05)
            else:
                print(f"serve on port {p} did not start", file=sys.stderr)
                return 1

        def call(port, method, path, body=None):
            req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    return r.status, json.load(r)
            except urllib.error.HTTPError as e:
                return e.code, json.load(e)

        bad, times = 0, []
        for i in range(rounds):
            status, slots = call(ports[i % 2], "GET", "/api/availability?from=2027-01-01&to=2027-12-31")
            if status != 200 or not slots:
                print(f"round {i}: no free start ({status})", file=sys.stderr)
                return 1
            start = slots[0]["start"]
            results, barrier, lock = [], threading.Barrier(clients), threading.Lock()

            def hold(k):
                barrier.wait()
                code = call(ports[k % 2], "POST", "/api/bookings", {"couple": f"Race {i}-{k}", "start": start, "hold": True})[0]
                with lock:
                    results.append(code)

            threads = [threading.Thread(target=hold, args=(k,)) for k in range(clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            times.append((time.perf_counter() - t0) * 1000)
            if results.count(201) != 1 or results.count(409) != clients - 1:
                bad += 1
                print(f"round {i} ({start}): {sorted(results)}", file=sys.stderr)
        held = json.loads(cli("list", "--status", "held", "--json"))
        if len(held) != rounds:
            print(f"the store holds {len(held)} held bookings after {rounds} rounds", file=sys.stderr)
            bad += 1
        print(f"serve race: 2 servers, {rounds} rounds x {clients} concurrent holds for one date: "
              f"{rounds - bad}/{rounds} rounds with exactly one 201; {len(held)} holds stored; "
              f"median round {statistics.median(times):.0f} ms")
        return 1 if bad else 0
    finally:
        for s in servers:
            s.terminate()
        for s in servers:
            s.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
