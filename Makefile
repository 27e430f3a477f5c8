# The README's quick start: `make test` runs every check CI runs.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test check unit fuzz

test: check unit fuzz

# Formatting, vet and staticcheck, on everything.
check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	go vet ./...
	go run $(STATICCHECK) ./...

# Every Go test, integration tests with real processes included.
unit:
	go test -timeout 20m ./...

# Every fuzz target in the repository, found by name, for FUZZTIME each,
# one after the other (the seed corpora under testdata/fuzz/ already run
# with every `go test`; this explores beyond them). A failure leaves the
# input under the package's testdata/fuzz/ to reproduce with `go test`.
# Go 1.26's fuzzer can fail a target with a bare "context deadline
# exceeded" as -fuzztime ends, having found nothing (golang/go#75804, fixed
# in Go 1.27): that one outcome, with no failing input written, is a pass.
FUZZTIME ?= 10s

fuzz:
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' internal cmd | sort); do \
	  for fn in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
	    echo "fuzz ./$$(dirname $$f) $$fn ($(FUZZTIME))"; \
	    out=$$(go test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) ./$$(dirname $$f) 2>&1) && rc=0 || rc=$$?; \
	    if [ $$rc -eq 0 ]; then echo "$$out" | tail -n 1; \
	    elif echo "$$out" | grep -q '^    context deadline exceeded$$' && ! echo "$$out" | grep -q 'Failing input written to'; then \
	      echo "ok (the fuzzer's end-of-run race, golang/go#75804: nothing found)"; \
	    else echo "$$out"; exit 1; fi; \
	  done; \
	done
