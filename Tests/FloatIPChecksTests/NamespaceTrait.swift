@_exported import FloatIPTestSupport
import Testing

extension Comment {
    /// Why a suite that needs root and network namespaces is skipped.
    static let namespaces = Comment(rawValue: NamespaceSupport.reason)
}
