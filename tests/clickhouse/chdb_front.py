#!/usr/bin/env python3
"""ClickHouse in process (chDB) behind the part of ClickHouse's HTTP interface tracedoctor uses.

    chdb_front.py load  --path DIR [--legacy-enums] DB=FILE[,FILE...]...    exporter tables filled from OTLP/JSON
    chdb_front.py sql   --path DIR SQL                                      run one statement
    chdb_front.py serve --path DIR [--user U] [--password P] [--max-memory-usage N] [--tls-cert PEM --tls-key PEM]
                                                                            prints "port N", then serves on 127.0.0.1

The HTTP side, as ClickHouse's: POST (or GET) /, the query in the body and/or `query=` (joined by a
newline), `database=`, `default_format=`, `param_NAME=` for `{NAME:Type}`, credentials in
X-ClickHouse-User / X-ClickHouse-Key (or basic auth); errors as a text body `Code: N. DB::Exception: …`
with the X-ClickHouse-Exception-Code header. Only loopback; one query at a time (chDB's session is
not shared between threads). chDB runs no server, so a Distributed table can only be over a cluster
whose one shard is this process (`--config-file` naming a cluster of 127.0.0.1 at its own tcp_port).
"""
import argparse
import base64
import gzip
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from chdb import session as chdb_session

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- OTLP → exporter rows


def any_value(v):
    """pcommon.Value.AsString(), as the exporter stores every attribute value."""
    if v is None:
        return ""
    if "stringValue" in v:
        return v["stringValue"]
    if "intValue" in v:
        return str(int(v["intValue"]))
    if "boolValue" in v:
        return "true" if v["boolValue"] else "false"
    if "doubleValue" in v:
        d = float(v["doubleValue"])
        return repr(d) if d != int(d) else str(int(d))
    if "bytesValue" in v:
        return v["bytesValue"]
    if "arrayValue" in v:
        return json.dumps([json_value(x) for x in v["arrayValue"].get("values", [])], separators=(",", ":"))
    if "kvlistValue" in v:
        return json.dumps({kv["key"]: json_value(kv.get("value")) for kv in v["kvlistValue"].get("values", [])},
                          separators=(",", ":"))
    return ""


def json_value(v):
    if v is None:
        return None
    for key in ("stringValue", "boolValue", "doubleValue", "bytesValue"):
        if key in v:
            return v[key]
    if "intValue" in v:
        return int(v["intValue"])
    if "arrayValue" in v:
        return [json_value(x) for x in v["arrayValue"].get("values", [])]
    if "kvlistValue" in v:
        return {kv["key"]: json_value(kv.get("value")) for kv in v["kvlistValue"].get("values", [])}
    return None


def attributes(items):
    return {kv["key"]: any_value(kv.get("value")) for kv in (items or [])}


def datetime64(ns):
    """Unix nanoseconds as DateTime64(9) text (UTC)."""
    ns = int(ns or 0)
    seconds, fraction = divmod(ns, 1_000_000_000)
    import datetime
    t = datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M:%S") + ".%09d" % fraction


def hex_id(value):
    """traceutil.TraceIDToHexOrEmptyString: lowercase hex, "" for an absent or all-zero ID."""
    value = (value or "").lower()
    return "" if set(value) <= {"0"} else value


KINDS = ["Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"]
LEGACY_KINDS = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
                "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"]
STATUS = ["Unset", "Ok", "Error"]
LEGACY_STATUS = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]


def enum(value, names):
    """An OTLP/JSON enum: its number, or its name (SPAN_KIND_CLIENT, STATUS_CODE_ERROR)."""
    if isinstance(value, str) and not value.isdigit():
        return names.index(value) if value in names else 0
    return int(value or 0)


def documents(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        yield json.loads(text)
        return
    except json.JSONDecodeError:
        pass
    for line in text.splitlines():
        if line.strip():
            yield json.loads(line)


def span_rows(doc, legacy):
    """The exporter's row for each span (traces_insert.sql): what pushTraceData writes."""
    for rs in doc.get("resourceSpans") or []:
        res = attributes((rs.get("resource") or {}).get("attributes"))
        service = res.get("service.name", "")
        for ss in rs.get("scopeSpans") or []:
            scope = ss.get("scope") or {}
            for s in ss.get("spans") or []:
                trace_id = hex_id(s.get("traceId"))
                # Both spellings the exporter has written: the old ones on every other trace.
                old = legacy and int(trace_id[-1:] or "0", 16) % 2 == 1
                kind = enum(s.get("kind", 0), LEGACY_KINDS)
                code = enum((s.get("status") or {}).get("code", 0), LEGACY_STATUS)
                start = int(s.get("startTimeUnixNano", 0))
                end = int(s.get("endTimeUnixNano", 0))
                events = s.get("events") or []
                links = s.get("links") or []
                yield {
                    "Timestamp": datetime64(start),
                    "TraceId": trace_id,
                    "SpanId": hex_id(s.get("spanId")),
                    "ParentSpanId": hex_id(s.get("parentSpanId")),
                    "TraceState": s.get("traceState", ""),
                    "SpanName": s.get("name", ""),
                    "SpanKind": (LEGACY_KINDS if old else KINDS)[kind],
                    "ServiceName": service,
                    "ResourceAttributes": res,
                    "ScopeName": scope.get("name", ""),
                    "ScopeVersion": scope.get("version", ""),
                    "SpanAttributes": attributes(s.get("attributes")),
                    "Duration": (end - start) % (1 << 64),
                    "StatusCode": (LEGACY_STATUS if old else STATUS)[code],
                    "StatusMessage": (s.get("status") or {}).get("message", ""),
                    "Events.Timestamp": [datetime64(e.get("timeUnixNano")) for e in events],
                    "Events.Name": [e.get("name", "") for e in events],
                    "Events.Attributes": [attributes(e.get("attributes")) for e in events],
                    "Links.TraceId": [hex_id(l.get("traceId")) for l in links],
                    "Links.SpanId": [hex_id(l.get("spanId")) for l in links],
                    "Links.TraceState": [l.get("traceState", "") for l in links],
                    "Links.Attributes": [attributes(l.get("attributes")) for l in links],
                }


def log_rows(doc):
    """The exporter's row for each log record (logs_insert.sql)."""
    for rl in doc.get("resourceLogs") or []:
        resource = rl.get("resource") or {}
        res = attributes(resource.get("attributes"))
        for sl in rl.get("scopeLogs") or []:
            scope = sl.get("scope") or {}
            for r in sl.get("logRecords") or []:
                ts = int(r.get("timeUnixNano", 0) or 0) or int(r.get("observedTimeUnixNano", 0) or 0)
                body = r.get("body")
                yield {
                    "Timestamp": datetime64(ts),
                    "TraceId": hex_id(r.get("traceId")),
                    "SpanId": hex_id(r.get("spanId")),
                    "TraceFlags": int(r.get("flags", 0)) & 0xFF,
                    "SeverityText": r.get("severityText", ""),
                    "SeverityNumber": int(r.get("severityNumber", 0) or 0),
                    "ServiceName": res.get("service.name", ""),
                    "Body": any_value(body) if body else "",
                    "ResourceSchemaUrl": rl.get("schemaUrl", ""),
                    "ResourceAttributes": res,
                    "ScopeSchemaUrl": sl.get("schemaUrl", ""),
                    "ScopeName": scope.get("name", ""),
                    "ScopeVersion": scope.get("version", ""),
                    "ScopeAttributes": attributes(scope.get("attributes")),
                    "LogAttributes": attributes(r.get("attributes")),
                    "EventName": r.get("eventName", ""),
                }


def schema_statements(database):
    with open(os.path.join(HERE, "exporter-schema.sql"), encoding="utf-8") as f:
        text = f.read()
    text = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    return [s.strip().replace('"otel"', '"%s"' % database) for s in re.split(r"^;$", text, flags=re.M) if s.strip()]


def insert(sess, table, rows):
    rows = list(rows)
    for i in range(0, len(rows), 2000):
        chunk = "\n".join(json.dumps(r, separators=(",", ":")) for r in rows[i:i + 2000])
        sess.query("INSERT INTO %s FORMAT JSONEachRow\n%s" % (table, chunk))
    return len(rows)


def open_session(args):
    """chDB at --path; with --config-file, clickhouse-local's configuration (e.g. a cluster for
    Distributed tables) is read from that file."""
    config = getattr(args, "config_file", None)
    return chdb_session.Session("file:%s?config-file=%s" % (args.path, config) if config else args.path)


def load(args):
    sess = open_session(args)
    for spec in args.databases:
        database, _, files = spec.partition("=")
        for statement in schema_statements(database):
            sess.query(statement)
        spans = logs = 0
        for path in filter(None, files.split(",")):
            for doc in documents(path):
                if "resourceSpans" in doc:
                    spans += insert(sess, '"%s"."otel_traces"' % database, span_rows(doc, args.legacy_enums))
                if "resourceLogs" in doc:
                    logs += insert(sess, '"%s"."otel_logs"' % database, log_rows(doc))
        legacy = sess.query("SELECT countIf(SpanKind LIKE 'SPAN_KIND_%%'), countIf(StatusCode LIKE 'STATUS_CODE_%%') "
                            "FROM \"%s\".\"otel_traces\"" % database, "TabSeparated").bytes().decode().split()
        print("loaded %d spans (%s with SPAN_KIND_*, %s with STATUS_CODE_*), %d log records into %s"
              % (spans, legacy[0], legacy[1], logs, database))
    for statement in args.sql or []:
        sess.query(statement)
    sess.close()


# ---------------------------------------------------------------- HTTP


def error_code(message):
    m = re.match(r"Code: (\d+)\.", message)
    return int(m.group(1)) if m else 1000


def http_status(code):
    return {516: 403, 60: 404, 81: 404, 62: 400, 241: 500}.get(code, 500)


class Front(BaseHTTPRequestHandler):
    sess = None
    user = "default"
    password = ""
    readonly = False
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if os.environ.get("CHDB_FRONT_LOG"):
            sys.stderr.write("chdb_front: " + fmt % args + "\n")

    def reply(self, status, body, headers=None, compress=False):
        data = body if isinstance(body, bytes) else body.encode()
        if compress:
            # ClickHouse's default http_zlib_compression_level is 3.
            data = gzip.compress(data, compresslevel=3)
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=UTF-8")
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-ClickHouse-Server-Display-Name", "chdb-front")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def fail(self, code, message, compress=False):
        self.reply(http_status(code), "Code: %d. DB::Exception: %s (version 26.9.2.1 chdb_front)\n" % (code, message),
                   {"X-ClickHouse-Exception-Code": str(code)}, compress)

    def wants_gzip(self, params):
        """As ClickHouse: a reply is compressed only with the setting enable_http_compression=1 and an
        Accept-Encoding the server knows (this front knows gzip, the one tracedoctor asks for)."""
        if params.get("enable_http_compression", ["0"])[0] not in ("1", "true"):
            return False
        accepted = [part.split(";")[0].strip().lower() for part in (self.headers.get("Accept-Encoding") or "").split(",")]
        return "gzip" in accepted

    def do_GET(self):
        self.handle_query(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.handle_query(self.rfile.read(length) if length else b"")

    def handle_query(self, body):
        url = urlsplit(self.path)
        if url.path in ("/ping", "/"):
            params = parse_qs(url.query, keep_blank_values=True)
        else:
            return self.reply(404, "There is no handle %s\n" % url.path)
        if url.path == "/ping" or (not body and "query" not in params):
            return self.reply(200, "Ok.\n")
        user = self.headers.get("X-ClickHouse-User")
        key = self.headers.get("X-ClickHouse-Key")
        auth = self.headers.get("Authorization")
        if user is None and auth and auth.startswith("Basic "):
            user, _, key = base64.b64decode(auth[6:]).decode().partition(":")
        user = user or params.get("user", ["default"])[0]
        key = key if key is not None else params.get("password", [""])[0]
        if user != self.user or key != self.password:
            return self.fail(516, "%s: Authentication failed: password is incorrect, or there is no user with such "
                                  "name. (AUTHENTICATION_FAILED)" % user)
        if self.readonly and "enable_http_compression" in params:
            # A profile with readonly=1 may change no setting, this one included (ClickHouse's text).
            return self.fail(164, "Cannot modify 'enable_http_compression' setting in readonly mode. (READONLY)")
        sql = "\n".join(filter(None, [params.get("query", [""])[0], body.decode("utf-8")]))
        query_params = {k[6:]: v[0] for k, v in params.items() if k.startswith("param_")}
        fmt = params.get("default_format", ["TabSeparated"])[0]
        try:
            database = params.get("database", [None])[0]
            if database:
                self.sess.query("USE `%s`" % database.replace("`", ""))
            result = self.sess.query(sql, fmt, params=query_params)
        except Exception as e:  # chDB raises ChdbError with ClickHouse's own text
            message = str(e).strip()
            code = error_code(message)
            message = re.sub(r"^Code: \d+\. DB::Exception: ", "", message)
            message = re.sub(r" \(version [^)]*\)$", "", message)
            # Past the settings, ClickHouse writes an error through the compressing output too.
            return self.fail(code, message, self.wants_gzip(params))
        self.reply(200, result.bytes(), compress=self.wants_gzip(params))


class QuietTLSErrorsServer(HTTPServer):
    """A client that refuses the certificate ends the handshake: not worth a traceback."""

    def handle_error(self, request, client_address):
        import ssl
        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError)):
            return
        super().handle_error(request, client_address)


def serve(args):
    Front.sess = open_session(args)
    if args.max_memory_usage:
        Front.sess.query("SET max_memory_usage = %d" % args.max_memory_usage)
    Front.user = args.user
    Front.password = args.password
    Front.readonly = args.readonly
    server = QuietTLSErrorsServer(("127.0.0.1", args.port), Front)
    if args.tls_cert:
        # HTTPS, as ClickHouse's https_port: the certificate the tests make (self-signed).
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    print("port %d" % server.server_address[1], flush=True)
    if args.exit_with_stdin:
        # The test process holds our stdin: when it ends, so does this server.
        import threading

        def watch():
            sys.stdin.buffer.read()
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("load")
    p.add_argument("--path", required=True)
    p.add_argument("--config-file", help="clickhouse-local configuration (a cluster for Distributed tables)")
    p.add_argument("--legacy-enums", action="store_true",
                   help="write SPAN_KIND_*/STATUS_CODE_* (older exporters) on traces whose ID ends in an odd digit")
    p.add_argument("--sql", action="append", help="a statement to run after loading (repeatable)")
    p.add_argument("databases", nargs="+", metavar="DB=FILE[,FILE...]")
    p = sub.add_parser("sql")
    p.add_argument("--path", required=True)
    p.add_argument("--config-file", help="clickhouse-local configuration (a cluster for Distributed tables)")
    p.add_argument("--format", default="TabSeparated", help="the output format (TSVRaw: strings unescaped)")
    p.add_argument("statement")
    p = sub.add_parser("serve")
    p.add_argument("--path", required=True)
    p.add_argument("--config-file", help="clickhouse-local configuration (a cluster for Distributed tables)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--user", default="default")
    p.add_argument("--password", default="")
    p.add_argument("--max-memory-usage", type=int, default=0)
    p.add_argument("--readonly", action="store_true",
                   help="answer as for a user with readonly=1: a setting on the URL is refused (code 164)")
    p.add_argument("--exit-with-stdin", action="store_true", help="exit when stdin reaches its end")
    p.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (and --tls-key)")
    p.add_argument("--tls-key", help="the certificate's PEM private key")
    args = parser.parse_args()
    if args.command == "load":
        load(args)
    elif args.command == "sql":
        sess = open_session(args)
        for statement in re.split(r";\s*\n", args.statement):
            if statement.strip():
                sys.stdout.write(sess.query(statement, args.format).bytes().decode())
    else:
        serve(args)


if __name__ == "__main__":
    main()
