// Options shared by the diagnosis commands (orphans, gaps, traces, stats): thresholds, clock-skew
// adjustment, and what counts as a defect.

import ArgumentParser
import TraceDoctorCore

struct AnalysisOptionGroup: ParsableArguments {
    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("unaccounted_time: shortest interval reported (with --min-gap-share).", valueName: "duration"))
    var minGap = "10ms"

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("unaccounted_time: smallest share of its span an interval must be.", valueName: "percent"))
    var minGapShare = "10%"

    @Option(
        name: .long, parsing: .unconditional, help: ArgumentHelp("low_coverage: roots whose descendants cover less than this.", valueName: "percent"))
    var minCoverage = "50%"

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Largest clock-skew shift applied; a larger one is reported, not applied.", valueName: "duration"))
    var maxSkew = "1s"

    @Flag(name: .long, help: "Never adjust for clock skew (each shift that would be made is reported).")
    var noSkewAdjust = false

    @Flag(
        name: .long,
        help: "Count remote_parent_missing (an ingress span whose caller was not captured) as missing_parent.")
    var includeRemote = false

    func validate() throws {
        _ = try options()
    }

    func options() throws -> AnalysisOptions {
        guard let gap = Units.parseDuration(minGap) else {
            throw ValidationError("--min-gap '\(minGap)' is not a duration of 0 or more (try 10ms, 1.5s, 500us)")
        }
        guard let share = Units.parseShare(minGapShare) else {
            throw ValidationError("--min-gap-share '\(minGapShare)' is not a percentage from 0% to 100% (try 10%)")
        }
        guard let coverage = Units.parseShare(minCoverage) else {
            throw ValidationError("--min-coverage '\(minCoverage)' is not a percentage from 0% to 100% (try 50%)")
        }
        guard let skew = Units.parseDuration(maxSkew) else {
            throw ValidationError("--max-skew '\(maxSkew)' is not a duration of 0 or more (try 1s, 250ms)")
        }
        return AnalysisOptions(
            minGapNs: gap, minGapShare: share, minCoverage: coverage, maxSkewNs: noSkewAdjust ? 0 : skew,
            includeRemote: includeRemote)
    }
}
