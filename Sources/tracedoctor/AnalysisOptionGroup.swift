// Options shared by the diagnosis commands (orphans, gaps, traces, stats): thresholds, clock-skew
// adjustment, what counts as a defect, how many rows to print, and `--fail-on`.

import ArgumentParser
import TraceDoctorCore

extension Diagnosis: ExpressibleByArgument {}

struct AnalysisOptionGroup: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("unaccounted_time: shortest interval reported (with --min-gap-share).", valueName: "duration"))
    var minGap = "10ms"

    @Option(
        name: .long,
        help: ArgumentHelp("unaccounted_time: smallest share of its span an interval must be.", valueName: "percent"))
    var minGapShare = "10%"

    @Option(
        name: .long, help: ArgumentHelp("low_coverage: roots whose descendants cover less than this.", valueName: "percent"))
    var minCoverage = "50%"

    @Option(
        name: .long,
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
            throw ValidationError("--min-gap '\(minGap)' is not a duration (try 10ms, 1.5s, 500us)")
        }
        guard let share = Units.parseShare(minGapShare) else {
            throw ValidationError("--min-gap-share '\(minGapShare)' is not a percentage (try 10%)")
        }
        guard let coverage = Units.parseShare(minCoverage) else {
            throw ValidationError("--min-coverage '\(minCoverage)' is not a percentage (try 50%)")
        }
        guard let skew = Units.parseDuration(maxSkew) else {
            throw ValidationError("--max-skew '\(maxSkew)' is not a duration (try 1s, 250ms)")
        }
        return AnalysisOptions(
            minGapNs: gap, minGapShare: share, minCoverage: coverage, maxSkewNs: noSkewAdjust ? 0 : skew,
            includeRemote: includeRemote)
    }
}

struct ReportOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Rows per list (0 = all). Text default 20; JSON lists everything unless this is given.", valueName: "n"))
    var limit: Int?

    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp(
            "Exit 1 when this diagnosis is found (repeatable; 'any' = any defect).", valueName: "diagnosis"))
    var failOn: [String] = []

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 (all) or more") }
        for name in failOn where name != "any" && Diagnosis(rawValue: name) == nil {
            throw ValidationError(
                "--fail-on '\(name)' is not a diagnosis; one of: any, "
                    + Diagnosis.allCases.map(\.name).joined(separator: ", "))
        }
    }

    func limit(for format: OutputFormat) -> Int {
        limit ?? (format == .text ? 20 : 0)
    }

    /// The `--fail-on` diagnoses found in `report`.
    func failures(in report: DiagnosisReport) -> [Diagnosis] {
        var wanted: [Diagnosis] = []
        for name in failOn {
            if name == "any" {
                wanted += Diagnosis.allCases.filter { $0.isDefectByDefault || report.options.includeRemote }
            } else if let d = Diagnosis(rawValue: name) {
                wanted.append(d)
            }
        }
        return Array(Set(wanted)).sorted().filter { report.found($0) }
    }
}
