# Retreat: build, test and demo on a fresh Debian machine (run as root, or with sudo available).
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)
SWIFT ?= swift
DEMO_DB ?= .build/demo/retreat.sqlite

.PHONY: deps build test demo leaks bench bench-import bench-agenda bench-store stress fuzz lint ics-validator mail-deps mail-test pg-deps pg-start pg-stop \
	serve browser-test bench-serve server-deps

# Installs libical-dev and pkg-config when pkg-config cannot find libical, and SQLite's headers (for GRDB)
# when they are missing.
deps:
	@SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; missing=""; \
	pkg-config --exists libical 2>/dev/null || missing="libical-dev pkg-config"; \
	[ -f /usr/include/sqlite3.h ] || missing="$$missing libsqlite3-dev"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $$SUDO apt-get update && $$SUDO apt-get install -y $$missing; \
	fi

build: deps
	$(SWIFT) build

# Everything the tests start or compare with is installed when missing: the mail tools (msmtp, aiosmtpd), and
# one Python venv (.build/icsval) with the pinned parsers that the iCalendar validator, the corpus comparison
# and the import benchmark use, plus licheck. A test whose tool cannot be installed prints that it skipped.
# The store and use-case tests run against SQLite and PostgreSQL: a throwaway PostgreSQL cluster (installed from
# Debian when missing) serves them on a loopback port and is deleted afterwards. When PostgreSQL cannot be had,
# the skip is printed and the PostgreSQL cases report themselves skipped; with $$RETREAT_TEST_POSTGRES set, that
# server is used instead.
test: deps mail-deps ics-validator server-deps
	$(SWIFT) build --build-tests
	PG_FAST=1 scripts/pg-cluster.sh run -- $(SWIFT) test --skip-build

# PostgreSQL by hand: install it (Debian's postgresql + postgresql-contrib) when missing; start a throwaway
# cluster (its folder is printed; `. FOLDER/env` sets RETREAT_TEST_POSTGRES and PGPASSWORD); stop and delete it.
pg-deps:
	scripts/pg-cluster.sh install
pg-start: pg-deps
	PG_FAST=1 scripts/pg-cluster.sh start
pg-stop:
	scripts/pg-cluster.sh stop

# The main job on the embedded default: writes the sample calendars into Calendars/.
demo: deps
	$(SWIFT) build --product retreat
	.build/debug/retreat demo --out Calendars

# Runs the iCalendar and import tests under LeakSanitizer (an AddressSanitizer build in .build-asan): fails on any leak.
# valgrind 3.19 crashes inside the Swift Testing runner, so LSan is the checker here. CorpusTests is left out: it runs
# Python through Foundation.Process, which leaks 32 bytes of its own (a weak-reference side table).
LEAK_FILTER ?= RetreatICalTests|RetreatCalendarsTests
leaks: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	ASAN_OPTIONS=detect_leaks=1 .build-asan/debug/RetreatPackageTests.xctest --testing-library swift-testing --filter '$(LEAK_FILTER)' --skip 'CorpusTests'

# Benchmarks in release: availability on a 10-year, 20-resource store next to process start-up.
bench: deps
	$(SWIFT) build -c release --product retreat
	$(SWIFT) build -c release --product RetreatBench
	.build/release/RetreatBench .build/release/retreat

# 8 processes × 200 mixed operations against one store, then the invariants (see Benchmarks/RetreatStress).
stress: deps
	$(SWIFT) build --product RetreatStress
	.build/debug/RetreatStress 200

# Issue 15's measurements on both stores, side by side in one run (a fresh PostgreSQL cluster with its default
# durability settings): processes racing for one slot (exactly one winner per round), the stress run, and
# availability over 10 years x 20 resources next to process start-up.
bench-store: deps pg-deps
	$(SWIFT) build -c release --product retreat
	$(SWIFT) build -c release --product RetreatStress
	$(SWIFT) build -c release --product RetreatBench
	scripts/pg-cluster.sh run -- Benchmarks/store/run.sh .build/release

# Import of a 50,000-event calendar, like for like: Retreat, a C program on libical + SQLite doing the same work,
# and Python (icalendar + recurring-ical-events); the stored rows are compared before the ratios are printed.
bench-import: deps ics-validator
	Benchmarks/import/run.sh

# libFuzzer over the iCalendar parser and the import path, seeded from the fixtures, for FUZZ_SECONDS.
# Swift's -sanitize=fuzzer brings libFuzzer's own main, which clashes with the main SwiftPM gives every
# executable, so the harness is built with ASan + coverage and links libFuzzer without its main.
# New crashes land in Fuzz/crashes/ (replayed by the tests); the corpus grows in .build-fuzz/corpus.
FUZZ_SECONDS ?= 300
FUZZ_RT := $(firstword $(wildcard /opt/swift/usr/lib/swift/clang/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a $(dir $(shell command -v swift))../lib/swift/clang/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a))
fuzz: deps
	$(SWIFT) build --product RetreatFuzz --scratch-path .build-fuzz -Xswiftc -sanitize=address \
	  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp -Xswiftc -DRETREAT_FUZZ \
	  -Xlinker $(FUZZ_RT) -Xlinker -lstdc++
	mkdir -p .build-fuzz/corpus Fuzz/crashes
	cp Fixtures/calendars/*.ics Fixtures/calendars/hostile/*.ics Fixtures/ical/*.ics .build-fuzz/corpus/
	.build-fuzz/debug/RetreatFuzz .build-fuzz/corpus -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	  -rss_limit_mb=2048 -artifact_prefix=Fuzz/crashes/ -print_final_stats=1 2>&1 | tee .build-fuzz/last-run.txt \
	  | grep -E "stat::|ERROR|SUMMARY|Done|DONE" | tail -20

# Agenda planner: every ranking, one intensive and 1,000 generated couples; quality against an independent
# randomized-restart baseline and the exhaustive optimum.
bench-agenda: deps
	$(SWIFT) build -c release --product AgendaBench
	.build/release/AgendaBench

# Formatting and the no-force-unwrap/no-try! rules (.swift-format) over the sources; tests may force-unwrap.
lint:
	$(SWIFT) format lint --strict -r Sources Benchmarks Fuzz Package.swift

# --- E-mail delivery: tools the RetreatMail tests use (installed when missing) ---------------------------------
# msmtp (Debian) is the sendmail-compatible transport; aiosmtpd (PyPI, in a venv under .build/) is the loopback
# SMTP server the round-trip tests start. Tests that find them missing print that they skipped.
MAIL_VENV ?= .build/mail-venv
AIOSMTPD_VERSION ?= 1.4.6
.PHONY: mail-deps ics-validator mail-test
mail-deps:
	@SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	if ! command -v msmtp >/dev/null 2>&1; then \
	  echo "installing: msmtp"; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y msmtp; \
	fi
	@if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; echo "installing: python3-venv"; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y python3-venv; \
	fi
	@if ! $(MAIL_VENV)/bin/python -c 'import aiosmtpd' >/dev/null 2>&1; then \
	  echo "installing: aiosmtpd $(AIOSMTPD_VERSION) into $(MAIL_VENV)"; \
	  python3 -m venv $(MAIL_VENV) && $(MAIL_VENV)/bin/pip install --quiet aiosmtpd==$(AIOSMTPD_VERSION); \
	fi

# The independent iCalendar validator ../shared/tools/ics-validate.py (not copied into this repo): its Python
# parsers in the venv .build/icsval (also used by the corpus test and the import benchmark) and licheck
# (libical's restriction checks) built next to it.
ICSVAL_VENV ?= .build/icsval
ICSVAL_TOOLS ?= ../shared/tools
ics-validator: deps
	-@Benchmarks/import/venv.sh $(ICSVAL_VENV)
	@if [ ! -f $(ICSVAL_TOOLS)/ics-validate.py ]; then \
	  echo "ics-validator: $(ICSVAL_TOOLS)/ics-validate.py is missing; the tests that need it will say they skipped"; exit 0; fi; \
	if [ ! -x .build/licheck ] || [ $(ICSVAL_TOOLS)/licheck.c -nt .build/licheck ]; then \
	  echo "building: .build/licheck"; mkdir -p .build; \
	  gcc -O1 $(ICSVAL_TOOLS)/licheck.c -o .build/licheck $$(pkg-config --cflags --libs libical); \
	fi

# The e-mail tests alone: input validation, message building, the sendmail transport, the SMTP round trip,
# invitations and change tracking, the outbox and `retreat notify` (killed runs included), injection attempts.
mail-test: deps mail-deps ics-validator
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --filter 'RetreatMailTests|PlainNameTests|NoteTests|TerminalSafeTests|EmailAddressTests|MailboxTests|MailboxListTests|HTTPSURLTests|InvitationTests|NotifyUseCaseTests|NotifyTests|InjectionTests|WrittenValuesTests'

# --- retreat serve ----------------------------------------------------------------------------------------------

# What the server tests use besides the validator: openapi-spec-validator (PyPI, pinned, in a venv under .build/)
# checks /openapi.json. The test says it skipped when it cannot be installed.
API_VENV ?= .build/openapi-venv
OPENAPI_SPEC_VALIDATOR_VERSION ?= 0.9.0
server-deps:
	-@if [ ! -x $(API_VENV)/bin/python ] || ! $(API_VENV)/bin/python -c 'import openapi_spec_validator' 2>/dev/null; then \
	  echo "installing: openapi-spec-validator $(OPENAPI_SPEC_VALIDATOR_VERSION) into $(API_VENV)"; \
	  python3 -m venv $(API_VENV) && $(API_VENV)/bin/pip install --quiet openapi-spec-validator==$(OPENAPI_SPEC_VALIDATOR_VERSION); \
	fi

# The demo store (make demo) served on http://127.0.0.1:$(SERVE_PORT) with the demo's clock: prints a staff feed,
# a couple's feed and a staff API token, then serves until Ctrl-C (SIGINT/SIGTERM stop it gracefully).
SERVE_PORT ?= 8080
SERVE_NOW ?= 2026-12-01T15:00:00Z
serve: demo
	@export RETREAT_DB=$(DEMO_DB) RETREAT_NOW=$(SERVE_NOW) RETREAT_ACTOR=make-serve; base=http://127.0.0.1:$(SERVE_PORT); \
	.build/debug/retreat feeds create staff --base-url $$base | sed -n 2p | sed 's/^ */staff feed:    /'; \
	.build/debug/retreat feeds create couple B0001 --base-url $$base | sed -n 2p | sed 's/^ */couple feed:   /'; \
	.build/debug/retreat tokens create --role staff --label make-serve | sed -n 2p | sed 's/^ */API token:     /'; \
	echo "couples' page: $$base/   API: $$base/api/ (curl -H 'Authorization: Bearer TOKEN' $$base/api/bookings)"; \
	exec .build/debug/retreat serve --port $(SERVE_PORT)

# A real browser: headless Chromium (Debian's chromium + chromium-driver, installed when missing) requests a date
# on the couples' page; screenshots land in .build/browser-test/. Prints that it skipped when Chromium cannot be
# installed.
browser-test: deps
	-@SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! command -v curl >/dev/null; then \
	  echo "installing: chromium chromium-driver curl"; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y chromium chromium-driver curl \
	    || echo "browser-test: chromium could not be installed; the test will say it skipped"; \
	fi
	$(SWIFT) build --build-tests
	RETREAT_BROWSER_TEST=1 $(SWIFT) test --skip-build --filter BrowserTests

# Load: wrk (Debian) against the staff feed, the couples' page and the API on loopback, next to nginx (Debian)
# serving the same feed bytes as a static file, in one run; then many concurrent holds for one date. Release build.
BENCH_SECONDS ?= 10
bench-serve: deps
	$(SWIFT) build -c release --product retreat
	BENCH_SECONDS=$(BENCH_SECONDS) Benchmarks/serve/run.sh .build/release/retreat
