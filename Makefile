# openai-casb: `make demo` runs the main job, `make test` runs every test.
# OPA is pinned in go.mod (tool directive); `go tool opa` builds that exact
# version on first use, so nothing needs a global install.

GO      ?= go
OPA     := $(GO) tool opa
SCHEMA  := schemas/inventory.schema.json
BIN     := bin/openai-casb

.PHONY: docs all build demo test opa-test lint fmt fuzz bench bench-stages bench-collect ci clean \
	tools tools-test release-check release-snapshot image docs-check peer-fixtures

FUZZTIME ?= 60s

all: lint test

build:
	$(GO) build -o $(BIN) ./cmd/openai-casb

# Every finding type of the catalog fires across these two runs: the first
# with the allow-lists of examples/demo-data.yaml (residency, action
# domains), the second in an organization without audit logging.
AUDIT_OFF := ec0de752-7dd6-4483-bd5d-35b3899963c3
demo:
	$(GO) run ./cmd/openai-casb demo --dlp --data examples/demo-data.yaml
	@echo
	$(GO) run ./cmd/openai-casb demo --as no-audit-logging --only $(AUDIT_OFF)

# The cmd package's end-to-end tests take about a minute on an idle machine
# and many more on a loaded one: go test's default 10-minute limit is too
# tight there.
test:
	$(GO) test -timeout 30m ./...
	@# The DLP tables: precision and recall per detector on the corpus,
	@# false positives per MB on the benign sets.
	@$(GO) test ./dlp -run '^(TestDetectorPrecisionAndRecall|TestBenignCorpusFalsePositives|TestModuleSourcesFalsePositives|TestPeerRuleTests)$$' -count=1 -v | sed -n 's/^        //p'

# Peers' rule tests the DLP detectors are measured against
# (dlp/peers_test.go, which skips without them): gitleaks' default rules
# with their true and false positives, and DefangLabs/secret-detector's
# detector tests, as the Go module proxy serves the modules (checked
# against the checksum database; go.mod is not changed).
PEERS := github.com/zricethezav/gitleaks/v8@v8.30.1 \
	github.com/DefangLabs/secret-detector@v0.0.0-20260916192156-3e28d7ed64df
peer-fixtures:
	$(GO) mod download $(PEERS)

opa-test:
	$(OPA) test policies/

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l .); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@out=$$($(OPA) fmt --list policies); \
	  if [ -n "$$out" ]; then echo "opa fmt would change:"; echo "$$out"; exit 1; fi
	$(OPA) check --strict -s $(SCHEMA) policies

fmt:
	gofmt -w .
	$(OPA) fmt -w policies

# Large seeds make input minimization slow; bound it so time goes to fuzzing.
fuzz:
	$(GO) test ./inventory/ -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	@# Spec-generated Admin API answers through the simulator into the
	@# collector (needs ../shared/reference/openai-admin-openapi.json).
	$(GO) test ./collector/ -run '^$$' -fuzz FuzzSpecResponses -fuzztime $(FUZZTIME)
	$(GO) test ./internal/scrub/ -run '^$$' -fuzz FuzzScrub -fuzztime $(FUZZTIME) -fuzzminimizetime 200x
	@# The duplicate-name check at every depth against encoding/json's tokenizer.
	$(GO) test ./inventory/ -run '^$$' -fuzz FuzzDuplicateNames -fuzztime $(FUZZTIME) -fuzzminimizetime 200x

# openai-casb against stock opa eval at 10k, 100k and 1M users, and the
# encoding/json floor: about 10 minutes, 13 GB of memory at the peak (opa).
# Writes bench/results.md. BENCH_SIZES and BENCH_RUNS override the defaults.
BENCH_SIZES ?= 10000,100000,1000000
BENCH_RUNS ?= 3
bench:
	$(GO) run ./bench/compare -sizes $(BENCH_SIZES) -runs $(BENCH_RUNS)

# One Go benchmark per stage (decode, validate, convert, evaluate, render),
# at BENCH_USERS users (100,000 by default).
bench-stages:
	$(GO) test ./bench -run '^$$' -bench . -benchmem -benchtime 3x

# A full collection of a simulated organization of BENCH_COLLECT_USERS users
# (100,000 by default) at 50 ms latency with a realistic login history and
# the Compliance API's rate limits, against its lower bound, then an
# incremental rescan a simulated day later. Writes bench/collect-results.md.
# At 100,000 users the full collection takes about 15 minutes.
BENCH_COLLECT_USERS ?= 100000
bench-collect:
	$(GO) run ./bench/collect -users $(BENCH_COLLECT_USERS)

ci: lint test opa-test

# Release tools, pinned in tools/go.mod (a module of their own, so their
# dependencies stay out of the product's go.mod), built into bin/tools.
TOOLS      := bin/tools
GORELEASER := $(TOOLS)/goreleaser
IMAGEBUILD := $(TOOLS)/imagebuild

tools: $(GORELEASER) $(TOOLS)/cyclonedx-gomod $(IMAGEBUILD)

$(GORELEASER) $(TOOLS)/cyclonedx-gomod: tools/go.mod tools/go.sum
	$(GO) -C tools build -o ../$(TOOLS)/ github.com/goreleaser/goreleaser/v2 github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod

$(IMAGEBUILD): tools/go.mod tools/go.sum $(wildcard tools/imagebuild/*.go)
	$(GO) -C tools build -o ../$(TOOLS)/ ./imagebuild

# The release tools' own code (imagebuild) and its tests.
tools-test:
	$(GO) -C tools vet ./...
	$(GO) -C tools test ./...

# The goreleaser configuration is valid (what .ci/run runs; no cross-build).
release-check: $(GORELEASER)
	$(GORELEASER) check

# Everything a release holds, built locally into dist/ without a tag or a
# token: six archives, a CycloneDX SBOM per archive, checksums.txt.
# goreleaser reads the commit only where git has a remote: a clone without
# one lends it the project's URL for this run (git's GIT_CONFIG_* variables).
release-snapshot: $(GORELEASER) $(TOOLS)/cyclonedx-gomod
	if ! git ls-remote --get-url >/dev/null 2>&1; then \
	  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url \
	    GIT_CONFIG_VALUE_0=https://github.com/openai-casb/openai-casb.git; \
	fi; \
	PATH="$(CURDIR)/$(TOOLS):$$PATH" $(GORELEASER) release --snapshot --clean
	dist/openai-casb_linux_amd64_v1/openai-casb --version

# The container image for linux/amd64 and linux/arm64, built without a
# daemon into an OCI layout tar, then checked: non-root, the binary as
# entrypoint, CA certificates, OCI labels (docs/container.md).
COMMIT      := $(shell git rev-parse HEAD 2>/dev/null)
COMMIT_DATE := $(shell git log -1 --format=%cI 2>/dev/null)
VERSION     ?= $(shell v=$$(git describe --tags --match 'v[0-9]*' --exact-match 2>/dev/null); \
	if [ -n "$$v" ]; then echo "$${v\#v}"; else echo "0.1.0-dev-$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"; fi)
IMAGE_TAR   := dist/openai-casb_$(VERSION)_oci.tar
LDFLAGS     := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(COMMIT_DATE)

image: $(IMAGEBUILD)
	for arch in amd64 arm64; do \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build -trimpath -ldflags "$(LDFLAGS)" \
	    -o bin/image/linux_$$arch/openai-casb ./cmd/openai-casb || exit 1; \
	done
	$(IMAGEBUILD) build -o $(IMAGE_TAR) -version $(VERSION) -revision "$(COMMIT)" $(if $(COMMIT_DATE),-created $(COMMIT_DATE)) \
	  -binary linux/amd64=bin/image/linux_amd64/openai-casb -binary linux/arm64=bin/image/linux_arm64/openai-casb
	$(IMAGEBUILD) inspect $(IMAGE_TAR)

# Every link in README.md and docs/ resolves, to a file of this repository
# and a heading of its page (also part of make test).
docs-check:
	$(GO) test ./docs/ -count=1

clean:
	rm -rf bin dist

# docs/findings.md is generated from the finding catalog; a test fails
# when it is stale.
docs:
	$(GO) run ./cmd/openai-casb policies list --format markdown > docs/findings.md
