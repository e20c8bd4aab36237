// The default policy written out as a commented tracedoctor.yml: what `check --help` and
// docs/check.md print. A test reads it back and compares it with `Policy()`, so the documented
// defaults are the real ones.

extension Policy {
    /// Every key of a policy file, each with its default value and what it means.
    public static let exampleYAML = """
        # tracedoctor.yml: what `tracedoctor check` holds a capture to.
        # Every key is optional; the values below are the defaults, which apply
        # without a policy file. Shares are written 95% or 0.95. Each rule has a
        # severity: error (fails the check, exit 1), warning (reported, never
        # fails) or off (not evaluated). An unknown key is an error.
        version: 1
        examples: 3                  # worst example traces shown per rule
        link_keys: []                # log fields that join lines without trace ID (--link-key)

        analysis:
          min_gap: 10ms              # unaccounted_time: shortest gap that counts
          min_gap_share: 10%         # ...and its smallest share of the span
          max_skew: 1s               # largest clock-skew shift applied

        rules:
          # traces with one root, no missing parent, nothing split off
          trace_completeness:
            min: 95%
            severity: error
          # spans that should have a parent and have it
          parent_linkage:
            min: 99%
            severity: error
          # spans whose parent never arrived (missing_parent) / all spans
          orphan_share:
            max: 1%
            severity: error
          # work that lost its context and became a trace of its own
          fragment_trace:
            allowed: false
            allow: []                # accepted anyway, by the fragment's root span,
                                     # e.g. [{service: cache, operation: warm-cache}]
            severity: error
          # a call sent without context: the callee started a new trace
          unpropagated_call:
            allowed: false
            allow: []                # accepted anyway, by the client span
            severity: error
          # a message sent without context: its consumer started a new trace
          unpropagated_message:
            allowed: false
            allow: []                # accepted anyway, by the producer span
            severity: error
          # ingress spans whose remote caller is not in the capture
          remote_parent_missing:
            allowed: true            # false: only the spans in allow may have one,
            allow: []                # e.g. [{service: frontend}] behind a gateway
            severity: error
          # per root: unaccounted_time in its trace / the trace's duration
          unaccounted_share:
            max: 50%
            per_service: {}          # by root service, e.g. {chat-api: 80%}
            per_operation: {}        # by root span name (wins over per_service)
            severity: error
          # per root: time its descendants cover / its duration (a root with
          # less than min_gap uncovered is exempt)
          coverage:
            min: 50%
            per_service: {}
            per_operation: {}
            severity: warning
          # child_before_parent + child_after_parent
          timing_violations:
            max_per_1000_spans: 10
            severity: warning
          # log lines linked to a span / all log lines (skipped without logs);
          # min_by_trace_id: lines whose trace ID names a stored trace / all lines
          log_linkage:
            min: 50%
            min_by_trace_id: 0%
            severity: warning
          # services that must have spans in the capture
          required_services:
            services: []
            severity: error
          # root span names that must appear in the capture
          required_root_operations:
            operations: []
            severity: error

        # only with --baseline FILE
        baseline:
          max_completeness_drop: 1   # percentage points completeness may drop
          max_parent_linkage_drop: 1 # percentage points parent linkage may drop
          max_coverage_drop: 10      # points a root operation's median may drop
          allow_new_fragment_sources: false  # a lost-context source not in it
          severity: error

        """
}
