"""Deterministic synthetic distributed traces, shared by the bench generators.

`TraceGen(seed).group()` returns the spans of one "trace group": a request trace through
3-8 services plus whatever it spawned (a Kafka consumer trace linked to its producer, a
planted fragment trace, a planted unpropagated call's callee trace). The model only uses
its own `random.Random(seed)`, so every generator built on it (OTLP, Jaeger, Zipkin, logs)
walks the same traces for the same seed, whatever the renderer does with its own RNG.

Planted defects (per trace group, probabilities x `defect_rate`):
  missing_parent        a non-root span's parent is absent (parent dropped, or the span
                        points at a parent ID that was never exported)
  remote_parent_missing the root SERVER span names a remote parent that is not in the dump
                        (flags 768), as at ingress behind an uninstrumented proxy
  fragment_trace        a new trace whose root is an INTERNAL span starting inside a span of
                        the same service instance (host/pid) of another trace: lost context
  unpropagated_call     a CLIENT span whose callee's SERVER span starts a new trace
  child_before_parent   a callee's SERVER subtree shifted earlier than its CLIENT parent
                        (clock skew across hosts)
  large_gap             a parent whose children leave one uncovered interval >= 50% of its
                        duration (and >= 10 ms); natural layouts leave < 25% uncovered
Truth counts are computed from the final spans, not from the plan.
"""

import math
import random

EPOCH_NS = 1_736_935_200_000_000_000  # 2025-01-15T10:00:00Z
MS = 1_000_000

INTERNAL, SERVER, CLIENT, PRODUCER, CONSUMER = 1, 2, 3, 4, 5

LANG_SDK = {
    "nodejs": "1.30.1", "java": "1.46.0", "go": "1.34.0", "python": "1.29.0",
    "dotnet": "1.11.2", "rust": "0.27.1", "cpp": "1.18.0",
}

SCOPES = {
    "nodejs": {"http": "@opentelemetry/instrumentation-http", "grpc": "@opentelemetry/instrumentation-grpc",
               "db": "@opentelemetry/instrumentation-pg", "redis": "@opentelemetry/instrumentation-ioredis",
               "messaging": "@opentelemetry/instrumentation-kafkajs"},
    "java": {"http": "io.opentelemetry.tomcat-10.0", "grpc": "io.opentelemetry.grpc-1.6",
             "db": "io.opentelemetry.jdbc", "redis": "io.opentelemetry.lettuce-5.1",
             "messaging": "io.opentelemetry.kafka-clients-2.6"},
    "go": {"http": "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
           "grpc": "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
           "db": "github.com/XSAM/otelsql", "redis": "github.com/redis/go-redis/extra/redisotel",
           "messaging": "github.com/IBM/sarama/otelsarama"},
    "python": {"http": "opentelemetry.instrumentation.flask", "grpc": "opentelemetry.instrumentation.grpc",
               "db": "opentelemetry.instrumentation.psycopg2", "redis": "opentelemetry.instrumentation.redis",
               "messaging": "opentelemetry.instrumentation.kafka"},
    "dotnet": {"http": "Microsoft.AspNetCore", "grpc": "Grpc.AspNetCore.Server",
               "db": "OpenTelemetry.Instrumentation.SqlClient", "redis": "OpenTelemetry.Instrumentation.StackExchangeRedis",
               "messaging": "Confluent.Kafka.Extensions.OpenTelemetry"},
    "rust": {"http": "opentelemetry-http", "grpc": "tonic", "db": "sqlx", "redis": "redis-rs", "messaging": "rdkafka"},
    "cpp": {"http": "opentelemetry-cpp-http", "grpc": "opentelemetry-cpp-grpc", "db": "opentelemetry-cpp-db",
            "redis": "opentelemetry-cpp-redis", "messaging": "opentelemetry-cpp-kafka"},
}

# name, lang, protocol, version, routes (http: (method, route); grpc: "pkg.Service/Method"),
# callees {service: weight}, db (system, namespace, [tables]) or None, redis, external
# (host, method, path) or None, kafka topic produced or None, internal operation names,
# fragment (lost-context background work) names.
SERVICE_DEFS = [
    ("frontend", "nodejs", "http", "2.4.1",
     [("GET", "/"), ("GET", "/api/products"), ("GET", "/api/products/{id}"), ("GET", "/api/cart"),
      ("POST", "/api/cart/items"), ("POST", "/api/checkout"), ("GET", "/api/orders/{id}"),
      ("GET", "/api/recommendations"), ("GET", "/api/users/me")],
     {"cart": 3, "catalog": 3, "orders": 2, "users": 2, "recommendation": 1, "currency": 1},
     None, True, None, None,
     ["render page", "validateSession", "middleware - query", "json serialize"],
     ["prefetch recommendations", "flush analytics batch"]),
    ("orders", "java", "http", "1.18.0",
     [("GET", "/api/orders/{id}"), ("POST", "/api/orders"), ("GET", "/api/orders"),
      ("PUT", "/api/orders/{id}/cancel")],
     {"inventory": 3, "payments": 2, "users": 1, "shipping": 2, "currency": 1},
     ("postgresql", "orders", ["orders", "order_items", "customers"]), False, None, "orders.created",
     ["OrderService.placeOrder", "OrderValidator.validate", "PriceCalculator.computeTotals",
      "OrderMapper.toDto"],
     ["sendConfirmationAsync", "AuditLogger.write", "CompletableFuture.supplyAsync"]),
    ("payments", "go", "grpc", "3.2.0",
     ["payments.PaymentService/Charge", "payments.PaymentService/Refund",
      "payments.PaymentService/GetPayment"],
     {"fraud-check": 2},
     ("postgresql", "payments", ["payments", "refunds"]), False,
     ("api.stripe.com", "POST", "/v1/charges"), None,
     ["charge.validate", "luhn.check", "tokenize card"],
     ["webhook.dispatch", "goroutine: ledger sync"]),
    ("inventory", "java", "http", "1.9.3",
     [("GET", "/inventory/{sku}"), ("POST", "/inventory/reserve"), ("POST", "/inventory/release")],
     {},
     ("mysql", "inventory", ["stock", "reservations", "warehouses"]), True, None, None,
     ["StockService.reserve", "ReservationRepository.save"],
     ["StockCacheWarmer.run"]),
    ("users", "python", "http", "0.14.2",
     [("GET", "/users/{id}"), ("GET", "/users/me"), ("POST", "/users/{id}/sessions")],
     {},
     ("postgresql", "users", ["users", "sessions", "addresses"]), True, None, None,
     ["load_profile", "check_permissions", "serialize_user"],
     ["refresh_session_cache", "asyncio task: touch_last_seen"]),
    ("cart", "dotnet", "grpc", "5.0.7",
     ["oteldemo.CartService/GetCart", "oteldemo.CartService/AddItem", "oteldemo.CartService/EmptyCart"],
     {},
     None, True, None, None,
     ["CartStore.Get", "CartStore.Update"],
     ["Task.Run: expire carts"]),
    ("catalog", "go", "grpc", "1.11.0",
     ["oteldemo.ProductCatalogService/ListProducts", "oteldemo.ProductCatalogService/GetProduct",
      "oteldemo.ProductCatalogService/SearchProducts"],
     {},
     ("mongodb", "catalog", ["products", "categories"]), True, None, None,
     ["filterProducts", "rankResults"],
     ["goroutine: reload catalog"]),
    ("recommendation", "python", "grpc", "0.9.0",
     ["oteldemo.RecommendationService/ListRecommendations"],
     {"catalog": 2},
     None, True, None, None,
     ["get_product_list", "score_candidates"],
     ["ThreadPoolExecutor worker", "warm_model_cache"]),
    ("shipping", "rust", "http", "0.6.4",
     [("POST", "/get-quote"), ("POST", "/ship-order")],
     {"currency": 1},
     ("postgresql", "shipping", ["shipments", "quotes"]), False,
     ("api.ups.com", "POST", "/api/rating/v1/Rate"), None,
     ["calculate_quote", "create_tracking_id"],
     ["tokio::spawn label_printer"]),
    ("currency", "cpp", "grpc", "1.3.0",
     ["oteldemo.CurrencyService/Convert", "oteldemo.CurrencyService/GetSupportedCurrencies"],
     {},
     None, False, None, None,
     ["Convert", "loadRates"],
     ["refreshRates"]),
    ("fraud-check", "java", "grpc", "2.0.1",
     ["fraud.FraudService/Score"],
     {},
     None, True, None, None,
     ["model.predict", "FeatureStore.lookup", "RuleEngine.evaluate"],
     ["ScoreCache.evict"]),
    ("notification", "python", "consumer", "1.5.0",
     [],
     {"users": 1},
     ("postgresql", "notifications", ["notifications", "templates"]), False,
     ("api.sendgrid.com", "POST", "/v3/mail/send"), None,
     ["render_email", "choose_template"],
     ["retry_failed_sends"]),
]

ENTRY = [("frontend", 86), ("orders", 9), ("users", 5)]

ERROR_MESSAGES = {
    "http": ["Internal Server Error", "context deadline exceeded", "Service Unavailable",
             "upstream connect error or disconnect/reset before headers"],
    "grpc": ["context deadline exceeded", "connection refused", "failed to connect to all addresses",
             "card declined"],
    "db": ["deadlock detected", "duplicate key value violates unique constraint",
           "timeout waiting for connection from pool"],
    "redis": ["connection refused", "READONLY You can't write against a read only replica"],
    "messaging": ["leader not available", "message too large"],
    "manual": ["NullPointerException", "invalid argument", "index out of range"],
}
EXCEPTIONS = [
    ("java.net.SocketTimeoutException", "Read timed out"),
    ("org.postgresql.util.PSQLException", "ERROR: deadlock detected"),
    ("redis.exceptions.ConnectionError", "Error 111 connecting to redis:6379. Connection refused."),
    ("System.InvalidOperationException", "Sequence contains no elements"),
    ("ValueError", "invalid literal for int() with base 10: 'abc'"),
    ("grpc.RpcError", "StatusCode.UNAVAILABLE: failed to connect to all addresses"),
]
EVENT_NAMES = [
    ("cache.miss", "s", "cache.key"), ("retry", "i", "retry.attempt"), ("message.sent", "i", "message.id"),
    ("log", "s", "event"), ("acquired lock", "s", "lock.name"), ("validation.failed", "s", "field"),
]
EXTRA_ATTRS = [
    ("app.user.id", "u"), ("app.request.id", "x"), ("app.items.count", "i"), ("app.cache.hit", "b"),
    ("app.price.total", "d"), ("app.feature_flags", "a"), ("app.tenant", "t"), ("app.retry.count", "i"),
    ("app.region", "r"), ("app.latency_budget_ms", "d"), ("thread.id", "i"), ("thread.name", "n"),
    ("app.experiment", "t"), ("app.sampled", "b"), ("app.queue.depth", "i"), ("app.score", "d"),
]
TENANTS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"]
REGIONS = ["eu-west-1", "us-east-1", "us-west-2", "ap-southeast-1"]
FLAGS = ["new-checkout", "dark-mode", "fast-shipping", "recs-v2", "promo-banner", "one-click"]
THREADS = ["http-nio-8080-exec-1", "http-nio-8080-exec-7", "grpc-default-executor-3", "main",
           "pool-2-thread-4", "ForkJoinPool.commonPool-worker-3", "asyncio_0"]
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def table(weighted, size=64):
    """A lookup table of `size` entries for picking from (item, weight) pairs with one random()."""
    total = sum(w for _, w in weighted)
    res = []
    acc = 0.0
    for item, w in weighted:
        acc += w
        while len(res) < round(size * acc / total):
            res.append(item)
    return res


class Service:
    __slots__ = ("name", "lang", "proto", "version", "routes", "callees", "callee_w", "db", "redis",
                 "external", "topic", "internal_ops", "fragment_ops", "instances", "units", "unit_w",
                 "port", "scopes", "idx", "root_units")


class Instance:
    __slots__ = ("svc", "host", "instance_id", "pid", "ip", "idx", "attrs")


class Span:
    __slots__ = ("trace", "sid", "parent", "pref", "kind", "svc", "inst", "name", "start", "end",
                 "attrs", "events", "links", "status", "msg", "flags", "children", "scope",
                 "remote_root", "peer", "xi", "xn")

    def __init__(self, trace, sid, pref, kind, svc, inst, name, start, end, scope):
        self.trace = trace
        self.sid = sid
        self.pref = pref
        self.parent = pref.sid if pref is not None else None
        self.kind = kind
        self.svc = svc
        self.inst = inst
        self.name = name
        self.start = start
        self.end = end
        self.attrs = None
        self.events = None
        self.links = None
        self.status = 0
        self.msg = None
        self.flags = 256
        self.children = []
        self.scope = scope
        self.remote_root = False
        self.peer = None
        if pref is not None:
            pref.children.append(self)


DEFECT_KINDS = ["missing_parent", "remote_parent_missing", "fragment_trace", "unpropagated_call",
                "child_before_parent", "child_after_parent", "large_gap"]


class Truth:
    SAMPLE_LIMIT = 10

    def __init__(self):
        self.spans = 0
        self.traces = 0
        self.roots = 0
        self.events = 0
        self.links = 0
        self.errors = 0
        self.missing_parent_spans = 0
        self.missing_parent_traces = 0
        self.remote_parent_missing = 0
        self.fragment_traces = 0
        self.unpropagated_calls = 0
        self.child_before_parent = 0
        self.child_after_parent = 0
        self.large_gaps = 0
        self.consumer_traces = 0
        self.queue_handoffs = []
        self.groups = 0
        self.samples = {k: [] for k in DEFECT_KINDS}

    def sample(self, kind, item):
        lst = self.samples[kind]
        if len(lst) < self.SAMPLE_LIMIT:
            lst.append(item)

    def as_dict(self):
        return {
            "spans": self.spans,
            "traces": self.traces,
            "root_spans": self.roots,
            "events": self.events,
            "links": self.links,
            "error_spans": self.errors,
            "consumer_traces_linked_to_producer": self.consumer_traces,
            "trace_groups": self.groups,
            "defects": {
                "missing_parent_spans": self.missing_parent_spans,
                "missing_parent_traces": self.missing_parent_traces,
                "remote_parent_missing": self.remote_parent_missing,
                "fragment_traces": self.fragment_traces,
                "unpropagated_calls": self.unpropagated_calls,
                "child_before_parent": self.child_before_parent,
                "child_after_parent": self.child_after_parent,
                "large_gaps": self.large_gaps,
                "unpropagated_messages": len(self.queue_handoffs),
            },
            # Every planted queue hand-off whose consumer lost the context (not a sample).
            "queue_handoffs": self.queue_handoffs,
            "samples": self.samples,
        }


class TraceGen:
    def __init__(self, seed, defect_rate=1.0):
        self.rng = rng = random.Random(seed)
        # Queue hand-offs without propagation draw from their own stream, so the main stream
        # (trace shapes and the other planted defects) stays the same as before they existed.
        self.qrng = random.Random(seed * 7919 + 20)
        self.defect_rate = defect_rate
        self.clock = EPOCH_NS
        self.truth = Truth()
        self.last_link = None
        self.gap_pending = False
        self.group_gaps = []
        self.services = {}
        self.instances = []
        for d in SERVICE_DEFS:
            s = Service()
            (s.name, s.lang, s.proto, s.version, s.routes, callees, s.db, s.redis, s.external, s.topic,
             s.internal_ops, s.fragment_ops) = d
            s.callees = list(callees.items())
            s.port = {"http": 8080, "grpc": 50051, "consumer": 8080}[s.proto]
            s.scopes = SCOPES[s.lang]
            s.idx = len(self.services)
            self.services[s.name] = s
        for s in self.services.values():
            s.callees = [(self.services[n], w) for n, w in s.callees]
            units = [("internal", 1.0)]
            if s.callees:
                units.append(("call", 3.2))
            if s.db:
                units.append(("db", 2.2))
            if s.redis:
                units.append(("redis", 1.4))
            if s.external:
                units.append(("external", 0.6))
            if s.topic:
                units.append(("produce", 0.5))
            s.units = table(units)
            s.root_units = table([(u, w * 4 if u == "call" else w) for u, w in units])
            s.callee_w = table([(c, w) for c, w in s.callees]) if s.callees else []
            s.instances = []
            pod = "%08x" % rng.getrandbits(32)
            for k in range(rng.randint(2, 4)):
                inst = Instance()
                inst.svc = s
                inst.host = "%s-%s-%s" % (s.name, pod[:7] if s.proto != "consumer" else pod[:6],
                                          "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5)))
                h = "%032x" % rng.getrandbits(128)
                inst.instance_id = "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:32])
                inst.pid = rng.randint(1, 4000) if s.lang != "java" else 1
                inst.ip = "10.42.%d.%d" % (rng.randint(0, 15), rng.randint(2, 254))
                inst.idx = len(self.instances)
                inst.attrs = [
                    ("service.name", "s", s.name),
                    ("service.namespace", "s", "shop"),
                    ("service.version", "s", s.version),
                    ("service.instance.id", "s", inst.instance_id),
                    ("host.name", "s", inst.host),
                    ("host.arch", "s", "amd64"),
                    ("os.type", "s", "linux"),
                    ("process.pid", "i", inst.pid),
                    ("deployment.environment.name", "s", "production"),
                    ("telemetry.sdk.name", "s", "opentelemetry"),
                    ("telemetry.sdk.language", "s", s.lang),
                    ("telemetry.sdk.version", "s", LANG_SDK[s.lang]),
                ]
                s.instances.append(inst)
                self.instances.append(inst)
        self.extra_pool = self.make_extra_pool()
        self.entry = [self.services[n] for n, _ in ENTRY]
        self.entry_tab = table([(self.services[n], w) for n, w in ENTRY])
        self.consumer_svc = self.services["notification"]

    # ---- ids -------------------------------------------------------------------------
    def new_trace_id(self):
        return "%032x" % self.rng.getrandbits(128)

    def new_span_id(self):
        return "%016x" % self.rng.getrandbits(64)

    # ---- attributes ------------------------------------------------------------------
    def make_extra_pool(self, size=4096):
        """Random "app.*" attribute lists; spans take a prefix of one (`sp.xi`, `sp.xn`), which
        lets renderers cache the rendered text."""
        rng = self.rng
        r = rng.random
        pool = []
        P = EXTRA_ATTRS
        for _ in range(size):
            start = int(r() * len(P))
            lst = []
            for j in range(len(P)):
                key, t = P[(start + j * 5) % len(P)]
                if t == "i":
                    lst.append((key, "i", int(r() * 500)))
                elif t == "d":
                    lst.append((key, "d", round(r() * 900 + 1, 2)))
                elif t == "b":
                    lst.append((key, "b", r() < 0.5))
                elif t == "u":
                    lst.append((key, "s", "u-%06d" % int(r() * 999999)))
                elif t == "x":
                    lst.append((key, "s", "%016x" % rng.getrandbits(64)))
                elif t == "t":
                    lst.append((key, "s", TENANTS[int(r() * 8)]))
                elif t == "r":
                    lst.append((key, "s", REGIONS[int(r() * 4)]))
                elif t == "n":
                    lst.append((key, "s", THREADS[int(r() * 7)]))
                else:  # array
                    k = 1 + int(r() * 3)
                    i0 = int(r() * 6)
                    lst.append((key, "a", tuple(FLAGS[(i0 + q) % 6] for q in range(k))))
            pool.append(lst)
        return pool

    def finish_attrs(self, sp, attrs):
        """Pad `attrs` to 5-15 entries, add status/events/links, store on the span."""
        rng = self.rng
        r = rng.random
        target = 5 + int(r() * 11)
        sp.attrs = attrs
        sp.xi = int(r() * 4096)
        sp.xn = target - len(attrs) if target > len(attrs) else 0
        x = r()
        if x < 0.03:
            sp.status = 2
            msgs = ERROR_MESSAGES[sp.scope]
            sp.msg = msgs[int(r() * len(msgs))]
            et, em = EXCEPTIONS[int(r() * len(EXCEPTIONS))]
            sp.events = [[sp.start + int((sp.end - sp.start) * (0.5 + 0.5 * r())), "exception", [
                ("exception.type", "s", et), ("exception.message", "e", em),
                ("exception.stacktrace", "e", "%s: %s\n\tat %s.handle(%s:%d)\n\tat %s.run(Worker.java:%d)"
                 % (et, em, sp.svc.name, sp.svc.name, 10 + int(r() * 400), sp.svc.name, 10 + int(r() * 900))),
                ("exception.escaped", "b", False)]]]
        elif x < 0.105:
            evs = []
            d = sp.end - sp.start
            for _ in range(1 + int(r() * 3)):
                name, t, key = EVENT_NAMES[int(r() * len(EVENT_NAMES))]
                v = int(r() * 10) if t == "i" else ("k%05d" % int(r() * 99999))
                evs.append([sp.start + int(d * r()), name, [(key, t, v)] if r() < 0.8
                            else [(key, t, v), ("level", "s", "info")]])
            evs.sort(key=lambda e: e[0])
            sp.events = evs
        elif x < 0.11 and self.last_link is not None:
            tr, sid = self.last_link
            sp.links = [(tr, sid, [("link.reason", "s", "batch")])]

    # ---- span factories --------------------------------------------------------------
    def url_path(self, route):
        if "{" not in route:
            return route
        head, _, rest = route.partition("{")
        _, _, tail = rest.partition("}")
        return "%s%d%s" % (head, int(self.rng.random() * 99999), tail)

    def server_span(self, trace, pref, svc, inst, start, end, op=None):
        rng = self.rng
        r = rng.random
        if svc.proto == "http":
            method, route = op or svc.routes[int(r() * len(svc.routes))]
            sp = Span(trace, self.new_span_id(), pref, SERVER, svc, inst, "%s %s" % (method, route),
                      start, end, "http")
            attrs = [("http.request.method", "s", method), ("http.route", "s", route),
                     ("url.path", "s", self.url_path(route)), ("url.scheme", "s", "http"),
                     ("server.address", "s", svc.name), ("server.port", "i", svc.port),
                     ("client.address", "s", "10.42.%d.%d" % (int(r() * 16), 2 + int(r() * 250))),
                     ("network.protocol.version", "s", "1.1")]
            if pref is None:
                attrs.append(("user_agent.original", "s", UA))
            self.finish_attrs(sp, attrs)
            attrs.insert(5, ("http.response.status_code", "i", 500 if sp.status == 2 else 200))
        else:
            rpc = op or svc.routes[int(r() * len(svc.routes))]
            sp = Span(trace, self.new_span_id(), pref, SERVER, svc, inst, rpc, start, end, "grpc")
            service, _, method = rpc.partition("/")
            attrs = [("rpc.system", "s", "grpc"), ("rpc.service", "s", service), ("rpc.method", "s", method),
                     ("server.address", "s", svc.name), ("server.port", "i", svc.port),
                     ("network.peer.address", "s", "10.42.%d.%d" % (int(r() * 16), 2 + int(r() * 250)))]
            self.finish_attrs(sp, attrs)
            attrs.insert(3, ("rpc.grpc.status_code", "i", 13 if sp.status == 2 else 0))
        if pref is not None:
            sp.flags = 768
        return sp

    def client_call(self, trace, pref, callee, start, end):
        """CLIENT span in pref's service + the callee's SERVER span inside it."""
        rng = self.rng
        r = rng.random
        svc = pref.svc
        if callee.proto == "http":
            method, route = callee.routes[int(r() * len(callee.routes))]
            path = self.url_path(route)
            sp = Span(trace, self.new_span_id(), pref, CLIENT, svc, pref.inst, method, start, end, "http")
            attrs = [("http.request.method", "s", method),
                     ("url.full", "s", "http://%s:%d%s" % (callee.name, callee.port, path)),
                     ("server.address", "s", callee.name), ("server.port", "i", callee.port),
                     ("peer.service", "s", callee.name), ("network.protocol.version", "s", "1.1")]
            self.finish_attrs(sp, attrs)
            attrs.insert(2, ("http.response.status_code", "i", 500 if sp.status == 2 else 200))
            op = (method, route)
        else:
            rpc = callee.routes[int(r() * len(callee.routes))]
            sp = Span(trace, self.new_span_id(), pref, CLIENT, svc, pref.inst, rpc, start, end, "grpc")
            service, _, method = rpc.partition("/")
            attrs = [("rpc.system", "s", "grpc"), ("rpc.service", "s", service), ("rpc.method", "s", method),
                     ("server.address", "s", callee.name), ("server.port", "i", callee.port),
                     ("peer.service", "s", callee.name)]
            self.finish_attrs(sp, attrs)
            attrs.insert(3, ("rpc.grpc.status_code", "i", 14 if sp.status == 2 else 0))
            op = rpc
        sp.peer = callee
        d = end - start
        lat1 = min(int(d * 0.08), int(200_000 + r() * 1_500_000))
        lat2 = min(int(d * 0.08), int(200_000 + r() * 1_500_000))
        inst = callee.instances[int(r() * len(callee.instances))]
        srv = self.server_span(trace, sp, callee, inst, start + lat1, end - lat2, op)
        return sp, srv

    def db_span(self, trace, pref, start, end):
        r = self.rng.random
        svc = pref.svc
        system, ns, tables = svc.db
        table = tables[int(r() * len(tables))]
        x = r()
        if system == "mongodb":
            op = "find" if x < 0.7 else ("insert" if x < 0.85 else "update")
            q = '{"_id": %d}' % int(r() * 99999)
            port = 27017
        else:
            op = "SELECT" if x < 0.65 else ("INSERT" if x < 0.8 else ("UPDATE" if x < 0.95 else "DELETE"))
            if op == "SELECT":
                q = "SELECT * FROM %s WHERE id = $1 LIMIT %d" % (table, 1 + int(r() * 50))
            elif op == "INSERT":
                q = "INSERT INTO %s (id, data, created_at) VALUES ($1, $2, now())" % table
            elif op == "UPDATE":
                q = "UPDATE %s SET status = $1, updated_at = now() WHERE id = $2" % table
            else:
                q = "DELETE FROM %s WHERE id = $1" % table
            port = 5432 if system == "postgresql" else 3306
        sp = Span(trace, self.new_span_id(), pref, CLIENT, svc, pref.inst, "%s %s" % (op, table), start, end, "db")
        attrs = [("db.system", "s", system), ("db.namespace", "s", ns), ("db.operation.name", "s", op),
                 ("db.collection.name", "s", table), ("db.query.text", "e", q),
                 ("server.address", "s", "%s-%s" % (ns, system)), ("server.port", "i", port)]
        if op in ("SELECT", "find"):
            attrs.append(("db.response.returned_rows", "i", int(r() * 60)))
        self.finish_attrs(sp, attrs)
        return sp

    def redis_span(self, trace, pref, start, end):
        r = self.rng.random
        svc = pref.svc
        x = r()
        op = "GET" if x < 0.55 else ("SET" if x < 0.75 else ("HGETALL" if x < 0.9 else "EXPIRE"))
        key = "%s:%d" % (svc.name, int(r() * 99999))
        sp = Span(trace, self.new_span_id(), pref, CLIENT, svc, pref.inst, "redis %s" % op, start, end, "redis")
        attrs = [("db.system", "s", "redis"), ("db.operation.name", "s", op),
                 ("db.query.text", "s", "%s %s" % (op, key)), ("db.namespace", "s", "0"),
                 ("server.address", "s", "redis-%s" % svc.name), ("server.port", "i", 6379)]
        self.finish_attrs(sp, attrs)
        return sp

    def external_span(self, trace, pref, start, end):
        svc = pref.svc
        host, method, path = svc.external
        sp = Span(trace, self.new_span_id(), pref, CLIENT, svc, pref.inst, method, start, end, "http")
        attrs = [("http.request.method", "s", method), ("url.full", "s", "https://%s%s" % (host, path)),
                 ("server.address", "s", host), ("server.port", "i", 443),
                 ("network.protocol.version", "s", "2")]
        self.finish_attrs(sp, attrs)
        attrs.insert(1, ("http.response.status_code", "i", 502 if sp.status == 2 else 200))
        return sp

    def internal_span(self, trace, pref, start, end, name=None, svc=None, inst=None):
        r = self.rng.random
        if pref is not None:
            svc, inst = pref.svc, pref.inst
        name = name or svc.internal_ops[int(r() * len(svc.internal_ops))]
        sp = Span(trace, self.new_span_id(), pref, INTERNAL, svc, inst, name, start, end, "manual")
        attrs = [("code.function", "s", name.rsplit(".", 1)[-1]), ("code.namespace", "s", "shop.%s" % svc.name),
                 ("code.lineno", "i", 10 + int(r() * 600))]
        self.finish_attrs(sp, attrs)
        return sp

    def producer_span(self, trace, pref, start, end):
        r = self.rng.random
        svc = pref.svc
        sp = Span(trace, self.new_span_id(), pref, PRODUCER, svc, pref.inst, "%s publish" % svc.topic,
                  start, end, "messaging")
        attrs = [("messaging.system", "s", "kafka"), ("messaging.destination.name", "s", svc.topic),
                 ("messaging.operation.type", "s", "publish"), ("messaging.operation.name", "s", "send"),
                 ("messaging.kafka.message.key", "s", "order-%d" % int(r() * 999999)),
                 ("messaging.destination.partition.id", "s", str(int(r() * 12))),
                 ("messaging.message.body.size", "i", 200 + int(r() * 3000)),
                 ("server.address", "s", "kafka")]
        self.finish_attrs(sp, attrs)
        return sp

    def all_attrs(self, sp):
        """The span's attributes as (key, type, value) tuples; type is s (plain string),
        e (string that needs JSON escaping), i, d, b or a (tuple of plain strings)."""
        if sp.xn:
            return sp.attrs + self.extra_pool[sp.xi][:sp.xn]
        return sp.attrs

    # ---- trace shape -----------------------------------------------------------------
    def handler(self, sp, budget, depth, out):
        """Create up to `budget` descendants of `sp` inside its interval, appending to out."""
        if budget <= 0:
            return
        rng = self.rng
        r = rng.random
        svc = sp.svc
        units = []
        left = budget
        k = 1 + int(r() * 5)
        produced = False
        ext = False
        tab = svc.root_units if depth <= 1 else svc.units
        for _ in range(k):
            if left <= 0:
                break
            u = tab[int(r() * 64)]
            if depth == 0 and not units and svc.callees:
                u = "call"
            if u == "call" and (left < 2 or depth >= 6):
                u = "internal"
            if u == "produce":
                if produced:
                    u = "db" if svc.db else "internal"
                produced = True
            if u == "external":
                if ext:
                    u = "internal"
                ext = True
            units.append(u)
            left -= 2 if u == "call" else 1
        n = len(units)
        extra = [0] * n
        expandable = [i for i in range(n) if units[i] == "call" or units[i] == "internal"]
        if expandable and left > 0:
            # Share the remaining budget among expandable units, unevenly.
            if len(expandable) == 1:
                extra[expandable[0]] = left
            else:
                ws = [r() ** 2 + 0.05 for _ in expandable]
                tw = sum(ws)
                given = 0
                for q, i in enumerate(expandable):
                    extra[i] = int(left * ws[q] / tw)
                    given += extra[i]
                extra[expandable[0]] += left - given
        # weights ~ expected durations
        w = []
        for i in range(n):
            u = units[i]
            if u == "call":
                w.append(3.0 + extra[i] * 0.8)
            elif u == "internal":
                w.append(0.8 + extra[i] * 0.8)
            elif u == "db":
                w.append(1.2)
            elif u == "redis":
                w.append(0.25)
            elif u == "external":
                w.append(4.0)
            else:
                w.append(0.3)
            w[-1] *= 0.5 + r()
        s0, e0 = sp.start, sp.end
        D = e0 - s0
        plant_gap = self.gap_pending and D >= 20 * MS and r() < 0.6
        parallel = n >= 2 and r() < 0.15
        if plant_gap:
            self.gap_pending = False
            cov = 0.12 + 0.25 * r()
        else:
            cov = 0.78 + 0.19 * r()
        W = sum(w)
        spans = []
        if parallel:
            pre = int(D * (1 - cov) * (0.2 + 0.6 * r()))
            longest = int(r() * n)
            for i in range(n):
                d = int(D * cov * (1.0 if i == longest else 0.4 + 0.6 * r()))
                spans.append((s0 + pre, s0 + pre + d))
            if plant_gap:
                gs = s0 + pre + max(b - a for a, b in spans)
                self.group_gaps.append((sp, gs, e0))
        else:
            gaps = [r() for _ in range(n + 1)]
            if plant_gap:
                j = int(r() * (n + 1))
                gaps = [0.02 * g for g in gaps]
                gaps[j] = 1.0
            G = sum(gaps)
            free = D * (1 - cov)
            cur = free * gaps[0] / G  # relative to s0: floats lose ns precision at epoch scale
            for i in range(n):
                d = D * cov * w[i] / W
                a = s0 + int(cur)
                b = s0 + int(cur + d)
                spans.append((a, b))
                cur += d + free * gaps[i + 1] / G
            if plant_gap:
                gs = spans[j - 1][1] if j > 0 else s0
                ge = spans[j][0] if j < n else e0
                self.group_gaps.append((sp, gs, ge))
        trace = sp.trace
        for i in range(n):
            a, b = spans[i]
            if b > e0:
                b = e0
            if b <= a:
                if a >= e0:
                    a = e0 - 1
                b = min(a + 1000, e0)
            u = units[i]
            if u == "call":
                callee = svc.callee_w[int(r() * 64)]
                c, srv = self.client_call(trace, sp, callee, a, b)
                out.append(c)
                out.append(srv)
                self.handler(srv, extra[i], depth + 1, out)
            elif u == "internal":
                c = self.internal_span(trace, sp, a, b)
                out.append(c)
                self.handler(c, extra[i], depth + 1, out)
            elif u == "db":
                out.append(self.db_span(trace, sp, a, b))
            elif u == "redis":
                out.append(self.redis_span(trace, sp, a, b))
            elif u == "external":
                out.append(self.external_span(trace, sp, a, b))
            else:
                p = self.producer_span(trace, sp, a, b)
                out.append(p)
                self.consumer_trace(p, out)

    def consumer_trace(self, producer, out):
        """An async Kafka consumer: a new trace in `notification`, linked to the producer,
        starting after the producer has ended."""
        rng = self.rng
        r = rng.random
        svc = self.consumer_svc
        inst = svc.instances[int(r() * len(svc.instances))]
        start = producer.end + int((1 + r() * 400) * MS)
        end = start + int((5 + r() * 120) * MS)
        trace = self.new_trace_id()
        sp = Span(trace, self.new_span_id(), None, CONSUMER, svc, inst, "%s process" % producer.svc.topic,
                  start, end, "messaging")
        attrs = [("messaging.system", "s", "kafka"), ("messaging.destination.name", "s", producer.svc.topic),
                 ("messaging.operation.type", "s", "process"),
                 ("messaging.consumer.group.name", "s", "notification-service"),
                 ("messaging.kafka.offset", "i", int(r() * 9_999_999)),
                 ("messaging.destination.partition.id", "s", str(int(r() * 12)))]
        self.finish_attrs(sp, attrs)
        q = self.qrng.random
        if q() < 0.5 * self.defect_rate:
            # Lost context: the consumer root has neither parent nor link to its producer.
            mid = None
            if q() < 0.25:
                # A worker that never extracted the context and starts its own INTERNAL root,
                # with no messaging attributes: only queue order can tie it to a producer.
                sp.kind = INTERNAL
                sp.name = "handleEvent"
                sp.scope = "manual"
                sp.attrs = [("code.function", "s", "handleEvent"),
                            ("code.namespace", "s", "shop.notification.worker")]
            elif q() < 0.6:
                mid = "msg-%016x" % int(q() * (1 << 64))
                producer.attrs.append(("messaging.message.id", "s", mid))
                sp.attrs.append(("messaging.message.id", "s", mid))
            self.truth.queue_handoffs.append({
                "producer_trace_id": producer.trace, "producer_span_id": producer.sid,
                "consumer_trace_id": trace, "consumer_root_span_id": sp.sid,
                "topic": producer.svc.topic, "message_id": mid,
                "consumer_kind": "consumer" if sp.kind == CONSUMER else "internal"})
        else:
            sp.links = [(producer.trace, producer.sid, [("messaging.operation.type", "s", "publish")])]
            self.truth.consumer_traces += 1
        out.append(sp)
        self.handler(sp, 1 + int(r() * 5), 4, out)

    def subtree(self, sp):
        stack = [sp]
        res = []
        while stack:
            x = stack.pop()
            res.append(x)
            stack.extend(x.children)
        return res

    # ---- one group -------------------------------------------------------------------
    def group(self):
        rng = self.rng
        r = rng.random
        rate = self.defect_rate
        truth = self.truth
        self.clock += int(rng.expovariate(1.0 / (4 * MS)))
        svc = self.entry_tab[int(r() * 64)]
        target = 5 + int(55 * r() ** 1.6)
        dur = int(max(2 * MS, (3 * MS + target * 4 * MS) * rng.lognormvariate(0, 0.6)))
        trace = self.new_trace_id()
        inst = svc.instances[int(r() * len(svc.instances))]
        root = self.server_span(trace, None, svc, inst, self.clock, self.clock + dur)
        out = [root]
        self.gap_pending = r() < 0.03 * rate
        self.group_gaps = []
        self.handler(root, target - 1, 0, out)
        self.gap_pending = False

        # -- planted defects (after the shape is known) --
        if r() < 0.015 * rate:  # unpropagated call: callee SERVER starts a new trace
            cands = [s for s in out if s.kind == SERVER and s.pref is not None and s.pref.kind == CLIENT
                     and s.trace == trace]
            if cands:
                v = cands[int(r() * len(cands))]
                c = v.pref
                c.children.remove(v)
                ntr = self.new_trace_id()
                for x in self.subtree(v):
                    x.trace = ntr
                v.pref = None
                v.parent = None
                v.flags = 256
                truth.unpropagated_calls += 1
                truth.sample("unpropagated_call", {
                    "client_trace_id": c.trace, "client_span_id": c.sid, "client_service": c.svc.name,
                    "callee_trace_id": ntr, "callee_root_span_id": v.sid, "callee_service": v.svc.name})
        if r() < 0.02 * rate:  # clock skew: callee subtree starts before its client parent
            cands = [s for s in out if s.kind == SERVER and s.pref is not None and s.pref.kind == CLIENT]
            if cands:
                v = cands[int(r() * len(cands))]
                c = v.pref
                delta = (c.start - int((1 + r() * 80) * MS)) - v.start
                for x in self.subtree(v):
                    x.start += delta
                    x.end += delta
                    if x.events:
                        for ev in x.events:
                            ev[0] += delta
                for i, (g, gs, ge) in enumerate(self.group_gaps):
                    if g.trace == v.trace and g in self.subtree(v):
                        self.group_gaps[i] = (g, gs + delta, ge + delta)
                truth.sample("child_before_parent", {
                    "trace_id": v.trace, "span_id": v.sid, "parent_span_id": c.sid, "service": v.svc.name,
                    "parent_service": c.svc.name, "skew_ns": c.start - v.start})
        if r() < 0.03 * rate:  # missing parent: drop a span with children, or re-point one
            gap_spans = [g for g, _, _ in self.group_gaps]
            if r() < 0.5:
                cands = [s for s in out if s.pref is not None and s.children and s not in gap_spans]
                if cands:
                    x = cands[int(r() * len(cands))]
                    out.remove(x)
                    if x.pref is not None:
                        x.pref.children.remove(x)
                    for ch in x.children:
                        ch.pref = None
                    truth.sample("missing_parent", {"trace_id": x.trace, "dropped_span_id": x.sid,
                                                    "orphans": [ch.sid for ch in x.children],
                                                    "cause": "parent_dropped"})
            else:
                cands = [s for s in out if s.pref is not None]
                if cands:
                    y = cands[int(r() * len(cands))]
                    y.pref.children.remove(y)
                    y.pref = None
                    y.parent = self.new_span_id()
                    truth.sample("missing_parent", {"trace_id": y.trace, "span_id": y.sid,
                                                    "missing_parent_span_id": y.parent,
                                                    "cause": "parent_never_exported"})
        if r() < 0.02 * rate and root.kind == SERVER and root.parent is None and root in out:
            root.parent = self.new_span_id()
            root.flags = 768
            root.remote_root = True
            truth.sample("remote_parent_missing", {"trace_id": root.trace, "span_id": root.sid,
                                                   "parent_span_id": root.parent, "service": root.svc.name})
        if r() < 0.03 * rate:  # fragment: lost context, new trace inside a span of this process
            cands = [s for s in out if (s.kind == SERVER or s.kind == INTERNAL) and s.end - s.start >= MS]
            if cands:
                s = cands[int(r() * len(cands))]
                d = s.end - s.start
                start = s.start + int(d * (0.05 + 0.8 * r()))
                fdur = int(d * (0.05 + 0.9 * r())) if r() < 0.6 else int((1 + r() * 200) * MS)
                ntr = self.new_trace_id()
                name = s.svc.fragment_ops[int(r() * len(s.svc.fragment_ops))]
                f = self.internal_span(ntr, None, start, start + fdur, name, s.svc, s.inst)
                out.append(f)
                self.handler(f, int(r() * 5), 4, out)
                truth.fragment_traces += 1
                truth.sample("fragment_trace", {
                    "fragment_trace_id": ntr, "fragment_root_span_id": f.sid, "service": s.svc.name,
                    "host": s.inst.host, "suspected_parent_trace_id": s.trace,
                    "suspected_parent_span_id": s.sid})

        # -- truth from the final spans --
        present = set()
        traces = set()
        for s in out:
            present.add((s.trace, s.sid))
            traces.add(s.trace)
        orphan_traces = set()
        for s in out:
            p = s.parent
            if p is None:
                truth.roots += 1
            elif (s.trace, p) not in present:
                if s.remote_root:
                    truth.remote_parent_missing += 1
                else:
                    truth.missing_parent_spans += 1
                    orphan_traces.add(s.trace)
            else:
                q = s.pref
                if q is not None:
                    if s.start < q.start:
                        truth.child_before_parent += 1
                    if s.end > q.end:
                        truth.child_after_parent += 1
                        truth.sample("child_after_parent", {"trace_id": s.trace, "span_id": s.sid,
                                                            "parent_span_id": q.sid})
            if s.events:
                truth.events += len(s.events)
            if s.links:
                truth.links += len(s.links)
            if s.status == 2:
                truth.errors += 1
        truth.missing_parent_traces += len(orphan_traces)
        for g, gs, ge in self.group_gaps:
            if g in out:
                truth.large_gaps += 1
                truth.sample("large_gap", {"trace_id": g.trace, "span_id": g.sid, "gap_start_ns": gs,
                                           "gap_end_ns": ge, "span_duration_ns": g.end - g.start})
        truth.spans += len(out)
        truth.traces += len(traces)
        truth.groups += 1
        out.sort(key=lambda s: s.end)
        self.last_link = (root.trace, root.sid)
        return out


# ---- helpers shared by the generator scripts ------------------------------------------
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "ki": 2**10, "mi": 2**20, "gi": 2**30}


def parse_size(text):
    """'1000000', '20M', '20MB' (decimal), '1GiB' (binary), '1.5G'."""
    t = text.strip().lower()
    i = len(t)
    while i > 0 and t[i - 1].isalpha():
        i -= 1
    num, unit = t[:i], t[i:]
    if unit not in _UNITS:
        raise ValueError("bad size %r (use e.g. 20M, 1G, 1GiB)" % text)
    return int(float(num) * _UNITS[unit])


def iso_time(ns):
    """RFC 3339 UTC with microseconds, e.g. 2025-01-15T10:00:00.123456Z."""
    import time as _t
    s, rem = divmod(ns, 1_000_000_000)
    return "%s.%06dZ" % (_t.strftime("%Y-%m-%dT%H:%M:%S", _t.gmtime(s)), rem // 1000)


def recount_timing(truth, spans, start_of, end_of):
    """Correct the group's child_before/after_parent counts (made at ns resolution) for the
    rendered times, e.g. microseconds: start_of(span), end_of(span)."""
    for s in spans:
        q = s.pref
        if q is None or s.parent is None:
            continue
        truth.child_before_parent += (start_of(s) < start_of(q)) - (s.start < q.start)
        truth.child_after_parent += (end_of(s) > end_of(q)) - (s.end > q.end)
