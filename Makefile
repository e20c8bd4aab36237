# tracedoctor — the commands the README names. Each target does its own setup.

SWIFT ?= swift
BIN_DEBUG := .build/debug/tracedoctor
BIN_RELEASE := .build/release/tracedoctor

.PHONY: build release test unit-test demo bench fmt clean protos fuzz fuzz-smoke

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

## test: unit and CLI tests (Swift Testing), then a short run of every fuzz target
test: build
	$(SWIFT) test
	@scripts/fuzz.sh smoke

## fuzz: each libFuzzer target for SECONDS (default 60), one after another; see FUZZING.md
fuzz:
	@scripts/fuzz.sh run $(or $(SECONDS),60)

## fuzz-smoke: every fuzz target briefly over the seeds (builds them with the sanitizers, cached)
fuzz-smoke:
	@scripts/fuzz.sh smoke

## demo: build, ingest the bundled demo dump into a temporary database, print a summary
demo: build
	@scripts/demo.sh $(BIN_DEBUG)

## bench: generate a large deterministic dump and measure ingest (SIZE=bytes, default 1 GB)
bench: release
	@python3 bench/run.py --size $(or $(SIZE),1G)

## protos: regenerate the committed OTLP protobuf Swift code (needs protoc; builds protoc-gen-swift, ~70 s)
protos:
	scripts/generate-protos.sh

fmt:
	@command -v swift-format >/dev/null 2>&1 && swift-format format --in-place --recursive Sources Tests || \
		$(SWIFT) format --in-place --recursive Sources Tests

clean:
	rm -rf .build .build-fuzz
