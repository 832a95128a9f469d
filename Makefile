# coopledger — developer tasks.
#
#   make build        build bin/coopledger
#   make run          build, load the demo township into an empty database, print
#                     the URL, tokens and curl examples, serve (DB=..., ADDR=...)
#   make test         lint, then go test on SQLite, then again with a throwaway
#                     PostgreSQL cluster (scripts/pgtest.sh; skipped with a
#                     message if no PostgreSQL server binaries are installed)
#   make test-sqlite  only the SQLite run
#   make bench        coopledger bench: the performance figures
#                     (docs/performance.md), SQLite and PostgreSQL (the server named by
#                     COOPLEDGER_TEST_POSTGRES, else a throwaway cluster with
#                     fsync on when server binaries are installed); writes
#                     bench.json (BENCHFLAGS=... to scale; docs/bench.json
#                     is the run docs/performance.md describes)
#   make lint         gofmt + go vet
#   make fuzz         run every Fuzz* target for FUZZTIME each
#   make crash        kill -9 the server CRASHES times under load, on SQLite
#                     and on a throwaway PostgreSQL; prints lost/duplicated
#   make clean        remove build and test artifacts (keeps data/)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

GO        ?= go
GOFMT     ?= gofmt
# Builds must not depend on VCS metadata (CI checkouts, worktrees, no commits
# yet): add -buildvcs=false to whatever GOFLAGS the user has (environment or
# `go env -w`), unless they chose a -buildvcs setting themselves.
GOFLAGS := $(shell $(GO) env GOFLAGS 2>/dev/null)
ifeq ($(filter -buildvcs%,$(GOFLAGS)),)
GOFLAGS := $(strip $(GOFLAGS) -buildvcs=false)
endif
export GOFLAGS

BIN       := bin/coopledger
DB        ?= sqlite:data/coopledger.db
ADDR      ?= 127.0.0.1:8080
TESTFLAGS ?=
FUZZTIME  ?= 30s
# Upper bound for one fuzz target's test binary (fuzzing + minimisation);
# must be larger than FUZZTIME.
FUZZTIMEOUT ?= 10m

.PHONY: all build run test test-steps fuzz-smoke test-sqlite test-postgres bench lint fmt-check vet fuzz fuzz-short crash clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/coopledger

# run: build; migrate and, when the database has no books, load the demo
# township and save its users' tokens to TOKENS (a database that has books is
# left alone and the saved tokens are printed again); print the URL, the tokens
# and curl examples; then serve until Ctrl-C. TOKENS defaults to
# demo-tokens.txt beside a SQLite database: data/demo-tokens.txt for the default.
TOKENS ?= $(if $(filter sqlite:%,$(DB)),$(dir $(patsubst sqlite:%,%,$(DB)))demo-tokens.txt,data/demo-tokens.txt)
run: build
	mkdir -p data
	./$(BIN) demo --db '$(DB)' --addr '$(ADDR)' --if-empty --tokens-file '$(TOKENS)'
	exec ./$(BIN) serve --db '$(DB)' --addr '$(ADDR)'

# test runs test-steps and prints its wall time at the end, passed or failed:
# the goal is at most 10 minutes (600 s) on an idle machine.
TEST_GOAL_SECONDS := 600
test:
	@start=$$(date +%s); status=0; \
	$(MAKE) --no-print-directory test-steps || status=$$?; \
	elapsed=$$(( $$(date +%s) - start )); \
	echo "make test: wall time $$elapsed s ($$(( elapsed / 60 )) min $$(( elapsed % 60 )) s), exit status $$status"; \
	if [ "$$elapsed" -gt $(TEST_GOAL_SECONDS) ]; then \
		echo "make test: longer than the $(TEST_GOAL_SECONDS) s goal (expected only on a loaded machine)"; \
	fi; \
	exit $$status

# lint must pass before any tests run. The SQLite run unsets
# COOPLEDGER_TEST_POSTGRES so it really is SQLite-only; the second run gets it
# from scripts/pgtest.sh, and the Go test helper then also runs on PostgreSQL.
test-steps: lint
	env -u COOPLEDGER_TEST_POSTGRES $(GO) test -count=1 $(TESTFLAGS) ./...
	scripts/pgtest.sh $(GO) test -count=1 $(TESTFLAGS) ./...
	$(MAKE) --no-print-directory fuzz-smoke

# A few seconds of real fuzzing for the parsers of outside input whose
# packages build quickly with fuzzing instrumentation (every target's seed
# corpus already ran above as ordinary tests; `make fuzz` fuzzes them all).
FUZZ_SMOKE := ./ledger:FuzzParseMoney ./reports:FuzzChineseCapitals ./reports:FuzzReadImport ./reports:FuzzReadImportBytes \
              ./httpapi/internal/httpx:FuzzDecodeVoucher ./httpapi/internal/httpx:FuzzDecodeAgreement
fuzz-smoke:
	@for t in $(FUZZ_SMOKE); do \
		pkg=$${t%%:*}; name=$${t##*:}; echo ">> fuzz $$pkg $$name 3s"; \
		env -u COOPLEDGER_TEST_POSTGRES $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime 3s -timeout 10m "$$pkg" </dev/null; \
	done

test-sqlite:
	env -u COOPLEDGER_TEST_POSTGRES $(GO) test -count=1 $(TESTFLAGS) ./...

test-postgres:
	scripts/pgtest.sh $(GO) test -count=1 $(TESTFLAGS) ./...

BENCHFLAGS ?=
# bench: with no COOPLEDGER_TEST_POSTGRES, PostgreSQL is measured on a
# throwaway cluster (scripts/pgtest.sh) when its server binaries are installed,
# durable (fsync on) so commits cost what they cost in production.
bench: build
	@if [ -z "$${COOPLEDGER_TEST_POSTGRES:-}" ] && scripts/pgtest.sh --print-bindir >/dev/null 2>&1; then \
		echo 'bench: PostgreSQL on a throwaway cluster (scripts/pgtest.sh, PGTEST_DURABLE=1)'; \
		PGTEST_DURABLE=1 scripts/pgtest.sh ./$(BIN) bench --json bench.json $(BENCHFLAGS); \
	else \
		./$(BIN) bench --json bench.json $(BENCHFLAGS); \
	fi

lint: fmt-check vet

# gofmt -l must print nothing (testdata/ and vendor/ are not ours to format).
fmt-check:
	@echo '$(GOFMT) -l'
	@out="$$(find . -type f -name '*.go' -not -path './.git/*' -not -path './vendor/*' \
		-not -path '*/testdata/*' -print0 | xargs -0 -r $(GOFMT) -l)" || { \
		echo 'lint: gofmt failed (syntax error?)' >&2; exit 1; }; \
	if [ -n "$$out" ]; then \
		echo 'lint: these files are not gofmt-formatted (run: gofmt -w <file>):' >&2; \
		echo "$$out" >&2; exit 1; \
	fi

vet:
	@echo '$(GO) vet ./...'
	@$(GO) vet ./... || { echo 'lint: go vet ./... failed' >&2; exit 1; }

# Each target runs for FUZZTIME (bounded by FUZZTIMEOUT); `go test -fuzz`
# accepts only one package and one target at a time.
fuzz:
	@targets="$$($(GO) test -list 'Fuzz.*' ./... | awk '/^Fuzz/ { n[c++] = $$1; next } \
		/^ok[ \t]/ { for (i = 0; i < c; i++) print $$2, n[i]; c = 0 }')"; \
	if [ -z "$$targets" ]; then echo 'fuzz: no Fuzz* targets found'; exit 0; fi; \
	while read -r pkg name; do \
		echo ">> $$pkg $$name (FUZZTIME=$(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime '$(FUZZTIME)' \
			-timeout '$(FUZZTIMEOUT)' "$$pkg" </dev/null; \
	done <<< "$$targets"

# crash: the crash test (cmd/coopledger/crash_test.go) with CRASHES kills on
# SQLite, then on PostgreSQL (skipped with a message when no server binaries
# are installed). `make test` runs it with 3 kills per database.
CRASHES ?= 25
crash:
	env -u COOPLEDGER_TEST_POSTGRES COOPLEDGER_CRASHES=$(CRASHES) $(GO) test -count=1 -v -timeout 20m \
		-run '^TestCrash$$' ./cmd/coopledger
	scripts/pgtest.sh env COOPLEDGER_CRASHES=$(CRASHES) $(GO) test -count=1 -v -timeout 20m \
		-run '^TestCrash$$/^postgres$$' ./cmd/coopledger

# data/ holds the local database and is deliberately left alone.
clean:
	rm -rf bin/
	rm -f coverage.out coverage.txt coverage.html cover.out *.coverprofile
	rm -f ./*.test
