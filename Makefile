# openai-casb: `make demo` runs the main job, `make test` runs every test.
# OPA is pinned in go.mod (tool directive); `go tool opa` builds that exact
# version on first use, so nothing needs a global install.

GO      ?= go
OPA     := $(GO) tool opa
SCHEMA  := schemas/inventory.schema.json
BIN     := bin/openai-casb

.PHONY: all build demo test opa-test lint fmt fuzz ci clean

FUZZTIME ?= 60s

all: lint test

build:
	$(GO) build -o $(BIN) ./cmd/openai-casb

demo:
	$(GO) run ./cmd/openai-casb demo

test:
	$(GO) test ./...

opa-test:
	$(OPA) test policies/

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@out=$$($(OPA) fmt --list policies); \
	  if [ -n "$$out" ]; then echo "opa fmt would change:"; echo "$$out"; exit 1; fi
	$(OPA) check --strict -s $(SCHEMA) policies

fmt:
	gofmt -w $$(git ls-files '*.go')
	$(OPA) fmt -w policies

# Large seeds make input minimization slow; bound it so time goes to fuzzing.
fuzz:
	$(GO) test ./inventory/ -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) -fuzzminimizetime 200x

ci: lint test opa-test

clean:
	rm -rf bin
