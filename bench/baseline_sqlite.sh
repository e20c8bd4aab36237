#!/bin/sh
# Baseline: the savvy user's path with nothing but the sqlite3 CLI (3.38+ for ->, ->>).
#
#   baseline_sqlite.sh FILE DB
#
# JSON Lines: `.import` the file into a one-column TEMP table (ascii mode, column separator
# 0x1F, which never occurs in JSON text, row separator \n), then one
#   INSERT INTO spans SELECT ... FROM lines, json_each(...) ...
# flattening resourceSpans -> scopeSpans -> spans with json_extract/->>. A single-document
# file (no newline before its end) is read with json_each(readfile(FILE)) instead.
# Same table, column shapes and (trace_id, parent_span_id) index as baseline_python.py.
# DB is replaced if it exists. Limit: SQLite strings/blobs max out at 1,000,000,000 bytes
# (SQLITE_MAX_LENGTH), so neither path can hold a line or document larger than that.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: baseline_sqlite.sh FILE DB" >&2
    exit 64
fi
FILE=$1
DB=$2
SQLITE3=${SQLITE3:-sqlite3}
rm -f "$DB" "$DB-journal"

# Single document? (at most one newline, at the very end)
if [ "$(tr -cd '\n' < "$FILE" | head -c 2 | wc -c)" -le 1 ]; then
    SINGLE=1
else
    SINGLE=0
fi

# An OTLP AnyValue object at JSON path $.value of the KeyValue in column `$1.value`, as JSON.
anyvalue() {
    cat <<EOF
CASE
  WHEN $1.value -> '\$.value.stringValue' IS NOT NULL THEN $1.value ->> '\$.value.stringValue'
  WHEN $1.value -> '\$.value.intValue' IS NOT NULL THEN CAST($1.value ->> '\$.value.intValue' AS INTEGER)
  WHEN $1.value -> '\$.value.doubleValue' IS NOT NULL THEN $1.value ->> '\$.value.doubleValue'
  WHEN $1.value -> '\$.value.boolValue' IS NOT NULL THEN $1.value -> '\$.value.boolValue'
  WHEN $1.value -> '\$.value.arrayValue' IS NOT NULL THEN (
    SELECT json_group_array(CASE
        WHEN v.value -> '\$.stringValue' IS NOT NULL THEN v.value ->> '\$.stringValue'
        WHEN v.value -> '\$.intValue' IS NOT NULL THEN CAST(v.value ->> '\$.intValue' AS INTEGER)
        WHEN v.value -> '\$.doubleValue' IS NOT NULL THEN v.value ->> '\$.doubleValue'
        ELSE v.value -> '\$.boolValue' END)
    FROM json_each($1.value, '\$.value.arrayValue.values') v)
  WHEN $1.value -> '\$.value.bytesValue' IS NOT NULL THEN $1.value ->> '\$.value.bytesValue'
  ELSE json('null')
END
EOF
}

# {"key": value, ...} of the KeyValue array at `$2` inside JSON `$1`.
attrs() {
    echo "(SELECT json_group_object(a.value ->> 'key', $(anyvalue a)) FROM json_each($1, '$2') a)"
}

if [ "$SINGLE" = 1 ]; then
    ESCAPED=$(printf '%s' "$FILE" | sed "s/'/''/g")
    SETUP=""
    SOURCE="json_each(CAST(readfile('$ESCAPED') AS TEXT), '\$.resourceSpans') rs"
else
    SETUP="CREATE TEMP TABLE lines (j TEXT);
.mode ascii
.separator \"\\037\" \"\\n\"
.import --schema temp '$(printf '%s' "$FILE" | sed "s/'/''/g")' lines
.mode list"
    SOURCE="temp.lines AS l, json_each(l.j, '\$.resourceSpans') rs"
fi

"$SQLITE3" -bail "$DB" <<EOF
CREATE TABLE spans (
    id INTEGER PRIMARY KEY,
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    parent_span_id TEXT,
    name TEXT NOT NULL,
    kind INTEGER NOT NULL,
    service TEXT NOT NULL,
    start_ns INTEGER,
    end_ns INTEGER,
    status_code INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    events TEXT NOT NULL,
    links TEXT NOT NULL
);
CREATE INDEX spans_by_trace_parent ON spans(trace_id, parent_span_id);
$SETUP
BEGIN;
INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, service, start_ns, end_ns,
                   status_code, attributes, events, links)
SELECT
    s.value ->> 'traceId',
    s.value ->> 'spanId',
    nullif(s.value ->> 'parentSpanId', ''),
    coalesce(s.value ->> 'name', ''),
    CASE WHEN typeof(s.value ->> 'kind') = 'integer' THEN s.value ->> 'kind'
         ELSE CASE s.value ->> 'kind'
              WHEN 'SPAN_KIND_INTERNAL' THEN 1 WHEN 'SPAN_KIND_SERVER' THEN 2
              WHEN 'SPAN_KIND_CLIENT' THEN 3 WHEN 'SPAN_KIND_PRODUCER' THEN 4
              WHEN 'SPAN_KIND_CONSUMER' THEN 5 ELSE 0 END END,
    coalesce(svc.value ->> '\$.value.stringValue', 'unknown_service'),
    CAST(s.value ->> 'startTimeUnixNano' AS INTEGER),
    CAST(s.value ->> 'endTimeUnixNano' AS INTEGER),
    CASE WHEN typeof(s.value ->> '\$.status.code') = 'integer' THEN s.value ->> '\$.status.code'
         ELSE CASE s.value ->> '\$.status.code'
              WHEN 'STATUS_CODE_OK' THEN 1 WHEN 'STATUS_CODE_ERROR' THEN 2 ELSE 0 END END,
    $(attrs s.value '$.attributes'),
    (SELECT json_group_array(json_object(
            'time_ns', CAST(e.value ->> 'timeUnixNano' AS INTEGER),
            'name', coalesce(e.value ->> 'name', ''),
            'attributes', json($(attrs e.value '$.attributes'))))
        FROM json_each(s.value, '\$.events') e),
    (SELECT json_group_array(json_object(
            'trace_id', k.value ->> 'traceId',
            'span_id', k.value ->> 'spanId',
            'attributes', json($(attrs k.value '$.attributes'))))
        FROM json_each(s.value, '\$.links') k)
FROM $SOURCE
    LEFT JOIN json_each(rs.value, '\$.resource.attributes') svc ON svc.value ->> 'key' = 'service.name'
    JOIN json_each(rs.value, '\$.scopeSpans') ss
    JOIN json_each(ss.value, '\$.spans') s;
COMMIT;
EOF
