@testable import FloatIPDNS
import FloatIPCore
import Testing

/// The client against a scripted server: every kind of bad answer becomes a typed failure with a
/// reason, and the client falls back to TCP and to the next server as it should.
@Suite(.serialized) struct DNSClientTests {
    let vip = name("vip.example.test")

    func client(_ servers: [DNSServer], key: TSIGKey? = nil) -> DNSClient {
        DNSClient(servers: servers, timeout: .milliseconds(300), key: key)
    }

    func failure(_ client: DNSClient) async -> DNSServerFailure.Reason? {
        do {
            _ = try await client.addresses(of: vip, types: [.a])
            return nil
        } catch {
            return error.failures.first?.reason
        }
    }

    @Test func answersWithTheRightIdAreAccepted() async throws {
        let server = try FakeDNSServer { request, _ in [answering(request)] }
        let answer = try await client([server.server]).addresses(of: vip, types: [.a])
        #expect(answer.addresses == [address("198.18.0.1")] && answer.ttl == 30 && answer.server == server.server)
    }

    @Test func wrongIdsAreIgnoredThenReported() async throws {
        let server = try FakeDNSServer { request, _ in
            var wrong = answering(request)
            wrong[0] ^= 0xFF
            return [wrong]
        }
        let reason = await failure(client([server.server]))
        #expect(reason == .transport(.timedOut(afterMs: 300, ignoredWrongID: 1)))
        #expect(reason?.description == "no answer within 300 ms (ignored 1 answer with a wrong message id)")
    }

    @Test func aWrongIdBeforeTheRightOneIsSkipped() async throws {
        let server = try FakeDNSServer { request, _ in
            var wrong = answering(request, address: "198.18.0.66")
            wrong[1] ^= 0x01
            return [wrong, answering(request)]
        }
        #expect(try await client([server.server]).addresses(of: vip, types: [.a]).addresses == [address("198.18.0.1")])
    }

    @Test func malformedAnswersAreRejectedWithAReason() async throws {
        let server = try FakeDNSServer { request, _ in
            let good = answering(request)
            return [Array(good.prefix(good.count - 3))]  // cut inside the A record's data
        }
        let reason = await failure(client([server.server]))
        #expect(reason == .malformed(.truncated(field: "answer A record data")))
    }

    @Test func truncatedAnswersAreAskedAgainOverTCP() async throws {
        let server = try FakeDNSServer { request, tcp in [answering(request, truncated: !tcp)] }
        let answer = try await client([server.server]).addresses(of: vip, types: [.a])
        #expect(answer.addresses == [address("198.18.0.1")])
        #expect(server.requests.withLock { $0.map(\.tcp) } == [false, true])
    }

    @Test func answersToAnotherQuestionAreRejected() async throws {
        let server = try FakeDNSServer { request, _ in
            guard var message = try? DNSMessage.parse(request).message else { return [] }
            message.isResponse = true
            message.questions = [DNSQuestion(name: name("evil.test"), type: .a)]
            return [(try? message.encoded()) ?? []]
        }
        guard case .mismatched(let why)? = await failure(client([server.server])) else {
            Issue.record("expected a mismatch")
            return
        }
        #expect(why.contains("evil.test."))
    }

    @Test func unsignedOrBadlySignedAnswersFailTSIG() async throws {
        let unsigned = try FakeDNSServer { request, _ in [answering(request)] }
        #expect(await failure(client([unsigned.server], key: testKey)) == .tsig(.unsigned))
        let otherKey = TSIGKey(name: testKey.name, secret: Array(repeating: 9, count: 32))
        let forged = try FakeDNSServer { request, _ in
            guard let parsed = try? DNSMessage.parse(request), var message = Optional(parsed.message),
                let tsig = message.additional.last, let record = try? TSIG.Record.parse(tsig.data)
            else { return [] }
            message.isResponse = true
            message.additional = []
            message.answers = [DNSRecord(name: name("vip.example.test"), address: address("198.18.0.66"), ttl: 30)]
            return [(try? TSIG.signAnswer(message, requestMAC: record.mac, key: otherKey, now: record.timeSigned)) ?? []]
        }
        #expect(await failure(client([forged.server], key: testKey)) == .tsig(.badMAC))
    }

    @Test func aSilentServerTimesOutAndTheNextIsTried() async throws {
        let silent = try FakeDNSServer { _, _ in [] }
        let good = try FakeDNSServer { request, _ in [answering(request, address: "198.18.0.2")] }
        let clock = ContinuousClock()
        let started = clock.now
        let answer = try await client([silent.server, good.server]).addresses(of: vip, types: [.a])
        #expect(answer.addresses == [address("198.18.0.2")] && answer.server == good.server)
        #expect(clock.now - started < .milliseconds(1_500), "one timeout, not more")
        do {
            _ = try await client([silent.server, silent.server]).addresses(of: vip, types: [.a])
            Issue.record("silent servers answered")
        } catch {
            #expect(error.failures.count == 2)
            #expect(error.description.hasPrefix("all 2 servers failed: 127.0.0.1:\(silent.port): no answer within 300 ms"))
        }
    }
}
