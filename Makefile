# tracedoctor — the commands the README names. Each target does its own setup.

SWIFT ?= swift
BIN_DEBUG := .build/debug/tracedoctor
BIN_RELEASE := .build/release/tracedoctor

.PHONY: setup build release test demo bench fmt clean protos

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

setup:
	@scripts/setup.sh test

## test: unit and CLI tests (Swift Testing), real OpenTelemetry SDK captures included
test: setup build
	$(SWIFT) test

## demo: build, ingest the bundled demo dump into a temporary database, print a summary
demo: setup build
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
	rm -rf .build
