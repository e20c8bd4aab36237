// `--link-key FIELD[=ATTRIBUTE]`, shared by the commands that show or count log lines.

import ArgumentParser
import TraceDoctorCore

struct LinkKeyOptions: ParsableArguments {
    @Option(
        name: .customLong("link-key"),
        help: ArgumentHelp(
            "A log field whose value a span attribute carries: request_id, or execution_id=workflow.run_id when the attribute has another name (repeatable). Joins lines without trace ID to that span's trace.",
            valueName: "field[=attribute]"),
        transform: { text in
            guard let key = LinkKey(text) else {
                throw ValidationError("not a key: give a log field name (request_id), or field=attribute (execution_id=workflow.run_id)")
            }
            return key
        })
    var keys: [LinkKey] = []
}
