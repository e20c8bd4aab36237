// A Jaeger process (`{"serviceName": …, "tags": [...]}`) is tracedoctor's resource: the service
// plus the process tags (`hostname`, `ip`, `jaeger.version`, … kept under their own names, which
// clock-skew analysis reads to tell hosts apart).

/// One process of a Jaeger trace, read into a resource.
final class JaegerProcess {
    let resource = ResourceRecord()
    /// A tag whose value does not fit its declared type: spans of this process are bad records.
    private(set) var problem: InputError?
    /// Counts the changes of `resource` (each `read` or `unknown`), so that a caller can tell
    /// it is unchanged without comparing it.
    private(set) var generation = 0

    /// Reads a process object. `tags` and `scratch` are working space.
    func read(_ s: JSONScanner, tags: JSONBuffer, scratch: JSONBuffer) throws(InputError) {
        resource.reset()
        problem = nil
        generation += 1
        tags.reset()
        if try s.readNullIfPresent() {
            resource.attributes.append("{}")
            return
        }
        var obj = try s.beginObject()
        while let key = try s.nextKey(&obj) {
            if key.equals("serviceName") {
                try s.readString(into: &resource.service, "serviceName")
            } else if key.equals("tags") {
                tags.reset()
                try s.readJaegerKeyValues(into: tags, scratch: scratch) { kv in
                    if problem == nil, let p = kv.problem { problem = InputError("process " + p.message, at: p.position) }
                }
            } else {
                try s.skipValue()
            }
        }
        resource.attributes.append(UInt8(ascii: "{"))
        if !resource.service.isEmpty {
            resource.attributes.appendKey("service.name")
            resource.attributes.appendString(resource.service)
            resource.attributes.append(UInt8(ascii: ","))
        }
        resource.attributes.appendRaw(tags.buffer)
        resource.attributes.dropTrailingComma()
        resource.attributes.append(UInt8(ascii: "}"))
    }

    /// The resource of spans whose process is not in the dump: no service, and the process ID
    /// they named (if any) kept as `jaeger.process_id`.
    func unknown(processID: [UInt8]?) {
        resource.reset()
        problem = nil
        generation += 1
        resource.attributes.append(UInt8(ascii: "{"))
        if let processID {
            resource.attributes.appendKey("jaeger.process_id")
            resource.attributes.appendString(processID)
        }
        resource.attributes.append(UInt8(ascii: "}"))
    }
}
