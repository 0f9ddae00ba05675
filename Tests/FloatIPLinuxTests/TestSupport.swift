// The shared test support (namespaces, processes, scratch directories) in every file of this target.
@_exported import FloatIPTestSupport
