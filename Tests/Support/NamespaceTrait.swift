import Testing

extension Comment {
    /// Why a suite that needs root and network namespaces is skipped:
    /// `.enabled(if: NamespaceSupport.available, .namespaces)`.
    public static let namespaces = Comment(rawValue: NamespaceSupport.reason)
}
