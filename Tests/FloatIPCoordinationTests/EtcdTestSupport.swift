import FloatIPTestSupport
import Testing

extension Comment {
    static let etcd = Comment(rawValue: EtcdServer.missingReason)
}
