#if canImport(Glibc)
import Glibc
#endif
import FloatIPCore
import FloatIPLinux

/// Sends queries and updates to authoritative servers, in order, until one answers usefully.
///
/// Each server gets `timeout` per transport: UDP first, TCP when the answer is truncated (TC) or
/// the request is larger than a UDP message may be. Every answer is checked: a valid message, the
/// request's id, opcode and question, and — with a key — a valid TSIG from the server. A server
/// that fails in any way is recorded and the next one is tried; the error lists them all.
public struct DNSClient: Sendable {
    public var servers: [DNSServer]
    public var timeout: Duration
    public var key: TSIGKey?
    /// Unix seconds, for TSIG's time signed and the check of the answer's.
    public var wallSeconds: @Sendable () -> UInt64

    public init(
        servers: [DNSServer], timeout: Duration = .seconds(2), key: TSIGKey? = nil,
        wallSeconds: @escaping @Sendable () -> UInt64 = { UInt64(max(0, time(nil))) }
    ) {
        self.servers = servers
        self.timeout = timeout
        self.key = key
        self.wallSeconds = wallSeconds
    }

    /// The answer from the first server that gives a usable one, and that server. An answer
    /// whose rcode is not NOERROR counts as a failure (for queries, NXDOMAIN is handled by `addresses`).
    public func exchange(
        _ message: DNSMessage, accepting accepted: Set<DNSRcode> = [.noError]
    ) async throws(DNSClientError) -> (answer: DNSMessage, server: DNSServer) {
        var failures: [DNSServerFailure] = []
        for server in servers {
            var request = message
            request.id = UInt16.random(in: 0...UInt16.max)
            do throws(DNSServerFailure.Reason) {
                let answer = try await ask(server, request)
                guard accepted.contains(answer.rcode) else {
                    throw .rcode(answer.rcode, tsigError: nil)
                }
                return (answer, server)
            } catch {
                failures.append(DNSServerFailure(server: server, reason: error))
            }
        }
        throw DNSClientError(failures: failures)
    }

    /// Asks one server: UDP, then TCP if needed; checks and verifies the answer.
    func ask(_ server: DNSServer, _ request: DNSMessage) async throws(DNSServerFailure.Reason) -> DNSMessage {
        let bytes: [UInt8]
        var requestMAC: [UInt8] = []
        do {
            if let key {
                (bytes, requestMAC) = try TSIG.sign(request, key: key, now: wallSeconds())
            } else {
                bytes = try request.encoded()
            }
        } catch {
            throw .malformed(error)
        }
        let timeout = timeout
        let id = request.id
        var raw: [UInt8]
        if bytes.count <= DNSSocket.udpLimit {
            do {
                raw = try await OffPoolCall.run(name: "floatip-dns") { () throws(DNSTransportError) in
                    try DNSSocket.udp(bytes, id: id, to: server, timeout: timeout)
                }
            } catch {
                throw .transport(error)
            }
            if let parsed = try? DNSMessage.parse(raw), !parsed.message.truncated {
                return try check(parsed, request: request, requestMAC: requestMAC)
            }
            // Truncated (TC) or unparsable: a truncated UDP answer may be cut anywhere. Ask over TCP
            // only when the header says TC; otherwise report the malformed answer.
            guard raw.count >= 4, raw[2] & 0x02 != 0 else {
                do { _ = try DNSMessage.parse(raw) } catch { throw .malformed(error) }
                throw .malformed(.truncated(field: "answer"))
            }
        }
        do {
            raw = try await OffPoolCall.run(name: "floatip-dns") { () throws(DNSTransportError) in
                try DNSSocket.tcp(bytes, to: server, timeout: timeout)
            }
        } catch {
            throw .transport(error)
        }
        let parsed: ParsedDNSMessage
        do { parsed = try DNSMessage.parse(raw) } catch { throw .malformed(error) }
        return try check(parsed, request: request, requestMAC: requestMAC)
    }

    /// Checks that `parsed` answers `request` and, with a key, that the server signed it.
    private func check(
        _ parsed: ParsedDNSMessage, request: DNSMessage, requestMAC: [UInt8]
    ) throws(DNSServerFailure.Reason) -> DNSMessage {
        let answer = parsed.message
        guard answer.id == request.id else {
            throw .mismatched("message id \(answer.id), expected \(request.id)")
        }
        guard answer.isResponse else { throw .mismatched("the QR bit is not set (a query, not an answer)") }
        guard answer.opcode == request.opcode else {
            throw .mismatched("opcode \(answer.opcode.rawValue), expected \(request.opcode.rawValue)")
        }
        // Servers may omit the question in error answers (FORMERR, NOTIMP); otherwise it must echo ours.
        if !answer.questions.isEmpty, answer.questions != request.questions {
            throw .mismatched("question \(answer.questions.map { "\($0.name) \($0.type)" }), expected "
                + "\(request.questions.map { "\($0.name) \($0.type)" })")
        }
        guard let key else { return answer }
        do {
            _ = try TSIG.verify(parsed, requestMAC: requestMAC, key: key, now: wallSeconds())
        } catch {
            // A server that could not verify our signature answers NOTAUTH with the TSIG error
            // (BADSIG, BADKEY, BADTIME) and an unsigned TSIG record: report it as the server's verdict.
            if case .serverError(let tsigError) = error { throw .rcode(answer.rcode, tsigError: tsigError) }
            if case .unsigned = error, answer.rcode != .noError { throw .rcode(answer.rcode, tsigError: nil) }
            throw .tsig(error)
        }
        return answer
    }
}
