/// Why a request to the authoritative servers failed: what each server did, in the order tried.
public struct DNSClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public var failures: [DNSServerFailure]

    public var description: String {
        guard failures.count > 1 else { return failures.first.map(\.description) ?? "no servers configured" }
        return "all \(failures.count) servers failed: " + failures.map(\.description).joined(separator: "; ")
    }

    /// The response code a server answered with, if any server answered with an error code.
    public var rcodes: [DNSRcode] {
        failures.compactMap { if case .rcode(let rcode, _) = $0.reason { rcode } else { nil } }
    }
}

/// What went wrong with one server.
public struct DNSServerFailure: Sendable, Equatable, CustomStringConvertible {
    public var server: DNSServer
    public var reason: Reason

    public enum Reason: Error, Sendable, Equatable, CustomStringConvertible {
        /// No usable answer arrived (timeout, refused connection, closed stream).
        case transport(DNSTransportError)
        /// The answer is not a valid DNS message.
        case malformed(DNSWireError)
        /// The answer is valid DNS but not an answer to our request (id, opcode, question, QR bit).
        case mismatched(String)
        /// The answer's TSIG signature is missing or wrong, or the server rejected ours.
        case tsig(TSIGFailure)
        /// The server answered with an error code; for NOTAUTH the TSIG error says why (BADSIG…).
        case rcode(DNSRcode, tsigError: DNSRcode?)

        public var description: String {
            switch self {
            case .transport(let error): error.description
            case .malformed(let error): "malformed answer: \(error)"
            case .mismatched(let why): "answer does not match the request: \(why)"
            case .tsig(let failure): "TSIG: \(failure)"
            case .rcode(let rcode, let tsigError?): "answered \(rcode) (\(tsigError))"
            case .rcode(let rcode, nil): "answered \(rcode)"
            }
        }
    }

    public var description: String { "\(server): \(reason)" }
}
