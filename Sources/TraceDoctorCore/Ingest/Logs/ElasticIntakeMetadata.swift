// The first line of an Elastic APM intake-v2 stream, `{"metadata": {...}}`: not a log event
// but the description of the process that sent the events after it (service, host, process,
// labels). tracedoctor stores it as the resource of those logs, like an OTLP Resource.

/// Reads intake metadata into a resource: nested objects flattened into dotted keys
/// (`service.name`, `system.detected_hostname`, `labels.group`), arrays kept as they are.
enum ElasticIntakeMetadata {
    static func read(_ s: JSONScanner, into resource: ResourceRecord) throws(InputError) {
        resource.reset()
        resource.attributes.append(UInt8(ascii: "{"))
        var path: [UInt8] = []
        try flatten(s, path: &path, into: resource)
        resource.attributes.dropTrailingComma()
        resource.attributes.append(UInt8(ascii: "}"))
    }

    private static func flatten(_ s: JSONScanner, path: inout [UInt8], into resource: ResourceRecord) throws(InputError) {
        let out = resource.attributes
        var object = try s.beginObject()
        let prefixLength = path.count
        while let key = try s.nextKey(&object) {
            path.removeSubrange(prefixLength...)
            if prefixLength > 0 { path.append(UInt8(ascii: ".")) }
            path.append(contentsOf: key)
            if try s.kind() == .object {
                try flatten(s, path: &path, into: resource)
                continue
            }
            let isServiceName = path.withUnsafeBufferPointer { $0.equals("service.name") }
            if isServiceName, try s.kind() == .string {
                let name = try s.readStringBytes()
                resource.service.removeAll(keepingCapacity: true)
                resource.service.append(contentsOf: name)
                out.appendString(path)
                out.append(UInt8(ascii: ":"))
                out.appendString(name)
            } else {
                out.appendString(path)
                out.append(UInt8(ascii: ":"))
                try s.copyValue(into: out)
            }
            out.append(UInt8(ascii: ","))
        }
        path.removeSubrange(prefixLength...)
    }
}
