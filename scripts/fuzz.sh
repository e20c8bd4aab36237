#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of Fuzzing/ (see FUZZING.md), one fuzzer at a time.
#
#   scripts/fuzz.sh build                  build every target (cached in .build-fuzz/)
#   scripts/fuzz.sh smoke                  every target briefly over the seeds (part of make test)
#   scripts/fuzz.sh run SECONDS [TARGET…]  each target (default: all) for SECONDS, one after another
#   scripts/fuzz.sh repro TARGET FILE…     run a target once on saved inputs (a crash, a regression)
#
# Work files live in .fuzz/ (git-ignored): seeds/ (copied fresh from fixtures/ on every run),
# corpus/TARGET/ (what the fuzzer learned, kept between runs), artifacts/TARGET/ (crashes,
# timeouts, out-of-memory inputs) and logs/TARGET.log. A finding makes the script exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$PWD
WORK=$ROOT/.fuzz
BUILD=$ROOT/.build-fuzz
BIN=$BUILD/release
TARGETS=(FuzzOTLPJSON FuzzOTLPProtobuf FuzzJaegerJSON FuzzZipkinJSON FuzzJSONLogs FuzzLogfmt FuzzTextLogs FuzzIngest FuzzOTLPRequest)

# The Swift runtime's own crash reporter would hold the crashing process for symbolication and
# fight libFuzzer's signal handlers: libFuzzer reports the crash instead.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_stack_use_after_return=0}

usage() {
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

dictionary() {
    case $1 in
    FuzzOTLPProtobuf | FuzzOTLPRequest) echo "$ROOT/Fuzzing/dictionaries/otlp-protobuf.dict" ;;
    FuzzJSONLogs | FuzzLogfmt | FuzzTextLogs) echo "$ROOT/Fuzzing/dictionaries/logs.dict" ;;
    *) echo "$ROOT/Fuzzing/dictionaries/traces-json.dict" ;;
    esac
}

build() {
    local start=$SECONDS
    # -parse-as-library: libFuzzer supplies main; -enable-testing: FuzzIngest calls ingest's
    # internal opening code. The main package's own builds never see these flags.
    (cd Fuzzing && swift build -c release --build-path "$BUILD" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing 2>&1 |
        grep -v "Cannot export local symbol '__asan_extra_spill_area'") || {
        echo "fuzz: the fuzz targets did not build" >&2
        exit 1
    }
    for t in "${TARGETS[@]}"; do
        [ -x "$BIN/$t" ] || { echo "fuzz: $BIN/$t is missing after the build" >&2; exit 1; }
    done
    echo "fuzz: built ${#TARGETS[@]} targets in $((SECONDS - start)) s"
}

# Every input the project has, fresh: fixtures/ (corpus, OTLP, logs, demo, malformed) and the
# real OpenTelemetry SDK's captures (TRACEDOCTOR_REALSDK_DIR, or made once into .fuzz/realsdk by
# tests/realsdk/run.sh, which needs PyPI the first time; without them the seeds are fixtures/).
seed() {
    rm -rf "$WORK/seeds"
    mkdir -p "$WORK/seeds"
    local dirs=(fixtures) sdk=${TRACEDOCTOR_REALSDK_DIR:-$WORK/realsdk}
    if [ ! -d "$sdk" ]; then
        tests/realsdk/run.sh "$sdk" >"$WORK/realsdk.log" 2>&1 || {
            echo "fuzz: warning: no real-SDK captures as seeds (see $WORK/realsdk.log)" >&2
            rm -rf "$sdk"
        }
    fi
    [ -d "$sdk" ] && dirs+=("$sdk")
    find "${dirs[@]}" -type f ! -name '*.md' ! -name '.*' -print0 |
        while IFS= read -r -d '' f; do cp "$f" "$WORK/seeds/$(echo "$f" | tr '/' '_')"; done
}

# run_target TARGET CORPUS LOGNAME libFuzzer-options…: one fuzzer over CORPUS and the seeds.
# Prints one summary line; returns 1 on a finding (crash, trap, timeout, out of memory, leak).
run_target() {
    local t=$1 corpus=$2 log=$WORK/logs/$3.log
    shift 3
    mkdir -p "$corpus" "$WORK/artifacts/$t" "$WORK/logs"
    local max_len=65536
    # Past the 64 KiB that detection reads first, so the replayed prefix meets the rest.
    [ "$t" = FuzzIngest ] && max_len=98304
    local status=0
    "$BIN/$t" -dict="$(dictionary "$t")" -max_len=$max_len -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
        -report_slow_units=2 -print_final_stats=1 -artifact_prefix="$WORK/artifacts/$t/" "$@" \
        "$corpus" "$WORK/seeds" >"$log" 2>&1 || status=$?
    local runs rate
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ $status -ne 0 ]; then
        echo "FINDING  $t (exit $status) after ${runs:-?} runs — log: $log" >&2
        grep -E "ERROR: libFuzzer|Fatal error|ERROR: AddressSanitizer|SUMMARY|Test unit written|==[0-9]+==" "$log" | head -12 >&2
        return 1
    fi
    printf '%-18s %10s runs  %7s exec/s  no finding\n' "$t" "${runs:-?}" "${rate:-?}"
}

smoke() {
    build
    seed
    local start=$SECONDS failed=0
    for t in "${TARGETS[@]}"; do
        # Every seed once, then a few hundred mutations: enough to catch a target that no longer
        # builds or a regression among the seeds (fixtures/malformed holds every past finding).
        # A scratch corpus, so that what long runs learned does not slow the smoke run down.
        rm -rf "$WORK/smoke/$t"
        run_target "$t" "$WORK/smoke/$t" "smoke-$t" -seed=1 -runs=2000 -max_total_time=20 || failed=1
    done
    echo "fuzz smoke: ${#TARGETS[@]} targets in $((SECONDS - start)) s"
    [ $failed -eq 0 ] || { echo "fuzz smoke: FAILED (see above)" >&2; exit 1; }
}

run() {
    local seconds=${1:?seconds}
    shift
    local targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=("${TARGETS[@]}")
    build
    seed
    local failed=0
    for t in "${targets[@]}"; do
        run_target "$t" "$WORK/corpus/$t" "$t" -max_total_time="$seconds" || failed=1
    done
    [ $failed -eq 0 ] || exit 1
}

repro() {
    local t=${1:?target}
    shift
    build >/dev/null
    "$BIN/$t" -runs=1 "$@"
}

case ${1:-} in
build) build ;;
smoke) smoke ;;
run) shift; run "$@" ;;
repro) shift; repro "$@" ;;
*) usage ;;
esac
