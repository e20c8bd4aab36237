# tracedoctor — the commands the README names. Each target does its own setup.

SWIFT ?= swift
BIN_DEBUG := .build/debug/tracedoctor
BIN_RELEASE := .build/release/tracedoctor

.PHONY: setup build release test demo bench fmt clean protos fuzz fuzz-smoke

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

setup:
	@scripts/setup.sh test

## test: unit and CLI tests (Swift Testing, real OpenTelemetry SDK captures included), then a short run of every fuzz target
# The receiver's in-process tests run on their own: beside hundreds of CLI tests that block Swift's
# cooperative threads while they wait for a child process, its async handlers could starve for minutes.
test: setup build
	$(SWIFT) test --skip TraceDoctorReceiverTests
	$(SWIFT) test --skip-build --filter TraceDoctorReceiverTests
	@scripts/fuzz.sh smoke

## fuzz: each libFuzzer target for SECONDS (default 60), one after another; see FUZZING.md
fuzz:
	@scripts/fuzz.sh run $(or $(SECONDS),60)

## fuzz-smoke: every fuzz target briefly over the seeds (builds them with the sanitizers, cached)
fuzz-smoke:
	@scripts/fuzz.sh smoke

## demo: build, ingest the bundled demo spans and logs into a temporary database, list what is broken, explain the most broken trace
demo: build
	@scripts/setup.sh demo
	@scripts/demo.sh $(BIN_DEBUG)

## bench: generate a large deterministic dump and measure ingest (SIZE=bytes, default 1 GB)
bench: release
	@scripts/setup.sh bench
	@python3 bench/run.py --size $(or $(SIZE),1G)

## protos: regenerate the committed OTLP protobuf Swift code (needs protoc; builds protoc-gen-swift, ~70 s)
protos:
	scripts/generate-protos.sh

fmt:
	@command -v swift-format >/dev/null 2>&1 && swift-format format --in-place --recursive Sources Tests || \
		$(SWIFT) format --in-place --recursive Sources Tests

clean:
	rm -rf .build .build-fuzz
