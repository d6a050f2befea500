# openai-casb: `make demo` runs the main job, `make test` runs every test.
# OPA is pinned in go.mod (tool directive); `go tool opa` builds that exact
# version on first use, so nothing needs a global install.

GO      ?= go
OPA     := $(GO) tool opa
SCHEMA  := schemas/inventory.schema.json
BIN     := bin/openai-casb

.PHONY: all build demo test opa-test lint fmt fuzz bench bench-stages ci clean

FUZZTIME ?= 60s

all: lint test

build:
	$(GO) build -o $(BIN) ./cmd/openai-casb

demo:
	$(GO) run ./cmd/openai-casb demo --dlp

test:
	$(GO) test ./...
	@# The DLP tables: precision and recall per detector on the corpus,
	@# false positives per MB on the benign sets.
	@$(GO) test ./dlp -run '^(TestDetectorPrecisionAndRecall|TestBenignCorpusFalsePositives|TestModuleSourcesFalsePositives)$$' -count=1 -v | sed -n 's/^        //p'

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
	$(GO) test ./internal/scrub/ -run '^$$' -fuzz FuzzScrub -fuzztime $(FUZZTIME) -fuzzminimizetime 200x

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

ci: lint test opa-test

clean:
	rm -rf bin
