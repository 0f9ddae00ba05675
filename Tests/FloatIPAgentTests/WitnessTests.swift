import FloatIPAgent
import FloatIPChecks
import FloatIPCore
import NIOCore
import NIOPosix
import Testing

/// `WitnessResponder` (what `floatip witness` runs) against the `track:` probe of a node, on loopback.
@Suite(.serialized) struct WitnessTests {
    let secret = Array("witness test secret 0123456789".utf8)

    func trackProbe(port: Int, secret: [UInt8]? = nil, timeout: Duration = .milliseconds(200)) throws -> any CheckProbe {
        let track = TrackConfig(
            targets: [.witness(.ipv4(127, 0, 0, 1), port: UInt16(port))], interval: .milliseconds(500), timeout: timeout)
        let identity = WitnessIdentity(secret: secret ?? self.secret, cluster: "lab", node: "web1")
        return try CheckProbes.make(track.check, context: CheckContext(witness: identity))
    }

    @Test func answersAnAuthenticProbe() async throws {
        let witness = try await WitnessResponder.bind(
            address: .ipv4(127, 0, 0, 1), port: 0, codec: WitnessCodec(secret: secret, cluster: "lab"))
        let probe = try trackProbe(port: witness.port)
        for _ in 0..<3 {
            let result = await probe.run()
            #expect(result.passed, "\(result.detail)")
            #expect(result.detail.hasPrefix("witness 127.0.0.1:\(witness.port) answered in "), "\(result.detail)")
        }
        let track = try #require(probe as? TrackProbe)
        #expect(track.targets().map(\.reachable) == [true])
        await probe.shutdown()
        await witness.close()
        #expect(witness.counters().answered == 3)
        #expect(witness.counters().nodes.keys.sorted() == ["web1"])
        #expect(witness.counters().rejected.isEmpty)
    }

    /// A node with another key gets no answer (the witness drops its probe as `bad_auth`), so it does not
    /// count the witness as reachable.
    @Test func aProbeUnderAnotherKeyIsDropped() async throws {
        let witness = try await WitnessResponder.bind(
            address: .ipv4(127, 0, 0, 1), port: 0, codec: WitnessCodec(secret: secret, cluster: "lab"))
        defer { Task { await witness.close() } }
        let probe = try trackProbe(port: witness.port, secret: Array("some other secret 0123456789".utf8))
        let result = await probe.run()
        #expect(!result.passed)
        #expect(result.detail == "no answer from witness 127.0.0.1:\(witness.port) within 200 ms", "\(result.detail)")
        #expect(witness.counters().rejected == ["bad_auth": 1])
        #expect(witness.counters().answered == 0)
        await probe.shutdown()
    }

    /// A fake witness that does not hold the key can only send back what it recorded: the probe itself
    /// (reflected) or an earlier answer (replayed). Neither counts as an answer.
    @Test func reflectedAndReplayedAnswersDoNotCount() async throws {
        // A genuine answer to an earlier probe, as an eavesdropper could have recorded it.
        let codec = WitnessCodec(secret: secret, cluster: "lab")
        let oldProbe = WitnessMessage(kind: .probe, nonce: Array(repeating: 9, count: 16), cluster: "lab", node: "web1")
        let recorded = try codec.encode(oldProbe.answer)
        let fake = try await FakeWitness.start { probe in [probe, recorded] }
        defer { Task { await fake.close() } }
        let probe = try trackProbe(port: fake.port)
        let result = await probe.run()
        #expect(!result.passed)
        #expect(result.detail == "no answer from witness 127.0.0.1:\(fake.port) within 200 ms (ignored 2 datagram(s) "
            + "that were not its answer)", "\(result.detail)")
        #expect(fake.received() == 1, "one probe per run, no retries")
        await probe.shutdown()
    }

    /// A genuine answer that comes after its run timed out is not taken as the next run's answer (the probe
    /// keeps its socket between runs; the nonce tells the runs apart).
    @Test func aLateAnswerDoesNotCountForTheNextRun() async throws {
        let codec = WitnessCodec(secret: secret, cluster: "lab")
        let fake = try await FakeWitness.start(delay: .milliseconds(300)) { bytes in
            guard let probe = try? codec.decode(bytes), let answer = try? codec.encode(probe.answer) else { return [] }
            return [answer]
        }
        defer { Task { await fake.close() } }
        let probe = try trackProbe(port: fake.port)
        let first = await probe.run()
        #expect(!first.passed, "\(first.detail)")
        let second = await probe.run()
        #expect(!second.passed, "\(second.detail)")
        #expect(second.detail.hasSuffix("(ignored 1 datagram(s) that were not its answer)"), "\(second.detail)")
        // Slow but in time: passes.
        let patient = try trackProbe(port: fake.port, timeout: .milliseconds(600))
        let third = await patient.run()
        #expect(third.passed, "\(third.detail)")
        await probe.shutdown()
        await patient.shutdown()
    }

    /// Nothing listens: the run fails within its timeout.
    @Test func silenceFailsWithinTheTimeout() async throws {
        let fake = try await FakeWitness.start { _ in [] }
        let port = fake.port
        await fake.close()
        let probe = try trackProbe(port: port, timeout: .milliseconds(100))
        let start = ContinuousClock.now
        let result = await probe.run()
        await probe.shutdown()
        #expect(!result.passed)
        #expect(ContinuousClock.now - start < .milliseconds(600), "bounded by the timeout")
    }
}

/// A UDP server on loopback that answers each datagram with what `reply` returns (bounded: only what it receives).
final class FakeWitness: Sendable {
    let channel: any Channel
    let port: Int
    private let count: Counter

    final class Counter: @unchecked Sendable {
        // Touched on the channel's event loop only; read after the exchange.
        var value = 0
    }

    private init(channel: any Channel, count: Counter) {
        self.channel = channel
        self.count = count
        port = channel.localAddress?.port ?? 0
    }

    /// Answers each datagram with `reply(datagram)`, after `delay`.
    static func start(
        delay: Duration = .zero, _ reply: @escaping @Sendable ([UInt8]) -> [[UInt8]]
    ) async throws -> FakeWitness {
        let count = Counter()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(reply: reply, count: count, delay: delay))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FakeWitness(channel: channel, count: count)
    }

    func received() -> Int { count.value }

    func close() async { try? await channel.close() }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>
        let reply: @Sendable ([UInt8]) -> [[UInt8]]
        let count: Counter
        let delay: Duration

        init(reply: @escaping @Sendable ([UInt8]) -> [[UInt8]], count: Counter, delay: Duration) {
            self.reply = reply
            self.count = count
            self.delay = delay
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            var buffer = envelope.data
            count.value += 1
            let answers = reply(buffer.readBytes(length: buffer.readableBytes) ?? [])
            let channel = context.channel
            let remote = envelope.remoteAddress
            let send: @Sendable () -> Void = {
                for bytes in answers {
                    let out = AddressedEnvelope(remoteAddress: remote, data: channel.allocator.buffer(bytes: bytes))
                    channel.write(out, promise: nil)
                }
                channel.flush()
            }
            if delay == .zero {
                send()
            } else {
                let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
                context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { send() }
            }
        }
    }
}
