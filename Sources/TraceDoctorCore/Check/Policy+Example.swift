// The default policy written out as a commented tracedoctor.yml: what `check --help` and
// docs/check.md print. A test reads it back and compares it with `Policy()`, so the documented
// defaults are the real ones.

extension Policy {
    /// Every key of a policy file, each with its default value and what it means.
    public static let exampleYAML = """
        # tracedoctor.yml: what `tracedoctor check` holds a capture to.
        # Every key is optional; the values below are the defaults (used without a policy file).
        # Shares are written 95% or 0.95. Each rule's severity: error (fails the check, exit 1),
        # warning (reported, never fails) or off (not evaluated). Unknown keys are an error.
        version: 1
        examples: 3                    # worst example traces shown per rule

        analysis:
          min_gap: 10ms                # unaccounted_time: shortest uncovered interval that counts...
          min_gap_share: 10%           # ...and its smallest share of the span
          max_skew: 1s                 # largest clock-skew shift applied before timing is judged

        rules:
          trace_completeness:          # traces with one root, no missing parent, nothing split off
            min: 95%
            severity: error
          parent_linkage:              # spans that should have a parent and have it
            min: 99%
            severity: error
          orphan_share:                # spans whose parent never arrived (missing_parent) / all spans
            max: 1%
            severity: error
          fragment_trace:              # work that lost its context and became a trace of its own
            allowed: false
            allow: []                  # fragments accepted anyway, by their root span:
                                       #   - {service: cache, operation: warm-cache}
            severity: error
          unpropagated_call:           # a call sent without context: the callee started a new trace
            allowed: false
            allow: []                  # calls accepted anyway, by the client span (service/operation)
            severity: error
          remote_parent_missing:       # ingress spans whose remote caller was not captured
            allowed: true              # false: only the spans named in allow may have one, e.g.
            allow: []                  #   - {service: frontend}   (called by an uncaptured gateway)
            severity: error
          unaccounted_share:           # per root: unaccounted_time in its trace / the trace's duration
            max: 50%
            per_service: {}            # by root service, e.g. {chat-api: 80%}
            per_operation: {}          # by root span name (wins), e.g. {"POST /v1/chat": 90%}
            severity: error
          coverage:                    # per root: time its descendants cover / its duration;
            min: 50%                   # a root with less than min_gap uncovered is exempt
            per_service: {}
            per_operation: {}
            severity: warning
          timing_violations:           # child_before_parent + child_after_parent per 1000 spans
            max_per_1000_spans: 10
            severity: warning
          log_linkage:                 # log lines linked to a span / all log lines (skipped: no logs)
            min: 50%
            severity: warning
          required_services:           # services that must have spans in the capture
            services: []
            severity: error
          required_root_operations:    # root span names that must appear in the capture
            operations: []
            severity: error

        baseline:                      # only with --baseline FILE
          max_completeness_drop: 1     # percentage points trace completeness may drop
          max_parent_linkage_drop: 1   # percentage points parent linkage may drop
          max_coverage_drop: 10        # points a root operation's median coverage may drop
          allow_new_fragment_sources: false   # a fragment/unpropagated source not in the baseline
          severity: error

        """
}
