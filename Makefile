# planner-tui: build, run against the sandbox stack, test, benchmark.
#
#   make run     build and open the TUI against the sandbox stack (started if needed)
#   make test    every test: unit, end-to-end against the sandbox, TUI under tmux
#   make bench   the benchmarks, with the comparisons the issues ask for
#   make dist    release artefacts in dist/: tarballs and .deb for linux amd64 and arm64, SHA256SUMS

SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)

BIN             := bin/planner-tui
PLANNER_SANDBOX ?= /var/tmp/planner-sandbox
export PLANNER_SANDBOX
VERSION         ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT          ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
# Expanded once (:=), so the binary and the package name agree on it.
BUILD_DATE      ?=
ifeq ($(BUILD_DATE),)
BUILD_DATE      := $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
endif
GO_LDFLAGS      := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(BUILD_DATE)
GO_TEST_TIMEOUT ?= 25m

.PHONY: build run test unit check bench lint deps sandbox-up sandbox-initial sandbox-down sandbox-reset clean nfpm dist dist-test

build:
	go build -trimpath -ldflags '$(GO_LDFLAGS)' -o $(BIN) .

# The TUI against the sandbox when a Docker engine can run here (as root, or
# one already answers); otherwise against the current directory.
run: build
	@if [ "$$(id -u)" = 0 ] || docker info >/dev/null 2>&1; then \
	  sandbox/up.sh && \
	  exec $(BIN) --state-dir "$(PLANNER_SANDBOX)/state" $$(sed 's/^/--set /' "$(PLANNER_SANDBOX)/planner-tui.env"); \
	else \
	  echo "No Docker engine can run here: opening planner-tui on $$PWD"; \
	  exec $(BIN); \
	fi

# What the tests need beyond Go (see scripts/deps.sh), and the sandbox stack
# (which installs Docker and friends itself).
deps:
	scripts/deps.sh

# The end-to-end tests deploy, roll back and break the sandbox stack, so they
# run alone, after the packages that only read it (those run in parallel).
# The sandbox's settings are not exported: tests read them from
# $(PLANNER_SANDBOX)/planner-tui.env themselves, and in the environment they
# would override the variables of the tests' own runbooks.
#
# Then the deploy, the rollback and a playbook again with the runbook's
# docker-compose lines on compose v2 (the plugin, through planner-tui's
# shim: PLANNER_TUI_COMPOSE=plugin); the sandbox installs both.
E2E_COMPOSE_V2 ?= TestDeployThenRollbackByDowngrade|TestEmergencyServiceCompletelyDown
#
# The key budgets (tuitest: the deployment and the rollback driven through
# the TUI under tmux, every key counted) deploy and roll back too, and take
# minutes: `make bench` runs them (scripts/bench-keys.sh), not `make test`.
KEY_BUDGETS ?= TestDeploymentKeyBudget|TestRollbackKeyBudget
test: deps sandbox-initial build dist-test
	export PLANNER_TUI_BIN="$(CURDIR)/$(BIN)" && \
	  go test -count=1 -timeout $(GO_TEST_TIMEOUT) -skip '^($(KEY_BUDGETS))$$' $$(go list ./... | grep -v '/e2e$$') && \
	  go test -count=1 -timeout $(GO_TEST_TIMEOUT) -v ./e2e/ && \
	  PLANNER_TUI_COMPOSE=plugin go test -count=1 -timeout $(GO_TEST_TIMEOUT) -v -run '^($(E2E_COMPOSE_V2))$$' ./e2e/

# Tests that need nothing but Go, bash and files.
unit:
	go test -count=1 -short ./...

# The static checks CI runs before the tests: formatting, a tidy go.mod,
# go vet, staticcheck (installed from the Go module proxy, pinned), and the
# race detector over the tests that need neither Docker nor tmux.
STATICCHECK_VERSION ?= 0.8.2
STATICCHECK         := $(shell go env GOPATH)/bin/staticcheck
check:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt would change these files"; exit 1; }
	go mod tidy -diff
	go vet ./...
	@$(STATICCHECK) -version 2>/dev/null | grep -qF '($(STATICCHECK_VERSION))' || go install honnef.co/go/tools/cmd/staticcheck@v$(STATICCHECK_VERSION)
	$(STATICCHECK) ./...
	go test -count=1 -short -race ./...

# Release artefacts (see scripts/dist.sh), packaged with nfpm, installed
# from the Go module proxy, pinned, as check installs staticcheck.
NFPM_VERSION ?= 2.45.2
NFPM         := $(shell go env GOPATH)/bin/nfpm
DIST_DIR     ?= dist
DIST_ENV      = VERSION='$(VERSION)' COMMIT='$(COMMIT)' BUILD_DATE='$(BUILD_DATE)' GO_LDFLAGS='$(GO_LDFLAGS)' NFPM='$(NFPM)'
nfpm:
	@go version -m $(NFPM) 2>/dev/null | grep -qE '^\s+mod\s+github.com/goreleaser/nfpm/v2\s+v$(NFPM_VERSION)\s' || go install github.com/goreleaser/nfpm/v2/cmd/nfpm@v$(NFPM_VERSION)

dist: deps nfpm
	$(DIST_ENV) scripts/dist.sh $(DIST_DIR)

# Builds the artefacts into a temp dir, installs the amd64 .deb into a
# throwaway root and runs it there. Fails (never skips) under CI=true
# when nfpm or dpkg cannot be had.
dist-test:
	$(DIST_ENV) NFPM_VERSION='$(NFPM_VERSION)' scripts/dist-test.sh

bench: deps sandbox-up build
	scripts/bench.sh

lint: build
	gofmt -l . | tee /dev/stderr | (! read)
	go vet ./...
	$(BIN) lint docs/runbook.md

sandbox-up:
	sandbox/up.sh

# Up, and reset when not at the initial state (v1.2.2, no backups) that the
# tests are written against: a sandbox left deployed by `make run` or an
# interrupted test run.
sandbox-initial:
	sandbox/initial.sh

sandbox-down:
	sandbox/down.sh

sandbox-reset:
	sandbox/reset.sh

clean:
	rm -rf bin dist
