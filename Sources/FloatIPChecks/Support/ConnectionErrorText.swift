import Glibc
import NIOCore
import NIOPosix

/// Words for why a connection could not be made or was lost, from NIO's errors.
enum ConnectionErrorText {
    /// `connection refused by 127.0.0.1:8080`, `no connection within 500 ms`, `cannot resolve db.example: …`.
    static func describe(_ error: any Error, endpoint: String) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first {
                return describe(first.error, endpoint: "\(endpoint) (\(first.target))")
            }
            if let dns = error.dnsAError ?? error.dnsAAAAError {
                return "cannot resolve \(error.host): \(dns)"
            }
            return "cannot resolve \(error.host): no address"
        case let error as IOError:
            return errnoText(error.errnoCode, endpoint: endpoint)
        case let error as ChannelError:
            if case .connectTimeout(let amount) = error {
                let limit = Duration.nanoseconds(amount.nanoseconds)
                return "no connection to \(endpoint) within \(limit.shortDescription)"
            }
            return "connection to \(endpoint): \(error)"
        default:
            return "connection to \(endpoint): \(error)"
        }
    }

    static func errnoText(_ code: Int32, endpoint: String) -> String {
        switch code {
        case ECONNREFUSED: return "connection refused by \(endpoint)"
        case ECONNRESET: return "connection reset by \(endpoint)"
        case EHOSTUNREACH, ENETUNREACH: return "\(endpoint) unreachable: \(String(cString: strerror(code)))"
        default: return "connection to \(endpoint): \(String(cString: strerror(code)))"
        }
    }
}
