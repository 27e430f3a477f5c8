# The README's quick start: `make test` runs every check CI runs.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test check unit

test: check unit

# Formatting, vet and staticcheck, on everything.
check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi
	go vet ./...
	go run $(STATICCHECK) ./...

# Every Go test, integration tests with real processes included.
unit:
	go test -timeout 20m ./...
