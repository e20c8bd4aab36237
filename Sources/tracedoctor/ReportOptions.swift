// Options shared by the diagnosis commands about the report: how many rows to print, and
// `--fail-on` (exit 1 when a diagnosis is found).

import ArgumentParser
import TraceDoctorCore

extension Diagnosis: ExpressibleByArgument {}

struct ReportOptions: ParsableArguments {
    // `.unconditional`: `--limit -1` is read as a value and refused with the valid range, not
    // taken for an option ("Missing value").
    @Option(
        name: .customLong("limit"), parsing: .unconditional,
        help: ArgumentHelp(
            "Rows per list (0 = all). Text default 20; JSON lists everything unless this is given.", valueName: "n"))
    var limitText: String?

    /// `--limit`, checked by `validate`.
    var limit: Int? { limitText.flatMap { Int($0) } }

    @Option(
        name: .long, parsing: .singleValue,
        help: ArgumentHelp(
            "Exit 1 when this diagnosis is found (repeatable; 'any' = any defect).", valueName: "diagnosis"))
    var failOn: [String] = []

    func validate() throws {
        if let limitText, (Int(limitText) ?? -1) < 0 {
            throw ValidationError("--limit '\(limitText)' is not a number of rows: give 0 (all) or more")
        }
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
