// Formats that name the process on every span (Zipkin's localEndpoint, Jaeger's embedded
// process) would otherwise hand the sink one resource per span; this passes on only changes.

/// Tells a sink about a resource only when it differs from the last one told.
final class CurrentResource {
    private let last = ResourceRecord()
    private var told = false

    /// Makes `resource` the sink's current resource unless it already is.
    func use(_ resource: ResourceRecord, in sink: RecordSink) throws {
        if told && last.service == resource.service
            && last.attributes.buffer.elementsEqual(resource.attributes.buffer)
        {
            return
        }
        last.copy(from: resource)
        told = true
        try sink.resource(resource)
    }
}
