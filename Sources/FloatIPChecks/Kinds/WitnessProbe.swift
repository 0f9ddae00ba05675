import FloatIPCore
import FloatIPLinux
import NIOCore
import NIOPosix
import Synchronization

/// One `witness ADDRESS:PORT` target of `track:`: each run sends one authenticated probe with a fresh random
/// nonce and passes when the witness's answer to that very probe arrives within the timeout
/// (docs/protocol.md, "Witness"). Datagrams that are not that answer (forged, replayed, a late answer to an
/// earlier probe, a reflection of the probe itself) are ignored and counted in the detail.
///
/// The UDP socket is opened at the first run and kept (a socket per run cost the agent about twice the CPU of
/// a ping target); when NIO closes it by itself (a send error, the link down), the next run opens another.
/// Runs of one probe never overlap (the scheduler runs a check once at a time), so one waiting run at a time.
final class WitnessProbe: CheckProbe {
    let check: CheckConfig
    let address: IPAddress
    let port: UInt16
    let codec: WitnessCodec
    let node: String
    private let state = Mutex<State>(State())

    struct State {
        var channel: (any Channel)?
        /// The run waiting for an answer: its probe, where its outcome goes, and what it ignored.
        var waiting: (probe: WitnessMessage, outcome: OneShot<Outcome>)?
        var ignored = 0
    }

    init(check: CheckConfig, address: IPAddress, port: UInt16, identity: WitnessIdentity) {
        self.check = check
        self.address = address
        self.port = port
        self.codec = identity.codec
        self.node = identity.node
    }

    var endpointText: String { address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)" }

    func run() async -> CheckResult {
        let start = ContinuousClock.now
        var random = SystemRandomNumberGenerator()
        let nonce = (0..<WitnessCodec.nonceSize).map { _ in UInt8.random(in: 0...255, using: &random) }
        let probe = WitnessMessage(kind: .probe, nonce: nonce, cluster: codec.cluster, node: node)
        let datagram: [UInt8]
        let target: SocketAddress
        let channel: any Channel
        do {
            datagram = try codec.encode(probe)
            target = try SocketAddress(ipAddress: "\(address)", port: Int(port))
            channel = try await openedChannel()
        } catch {
            return .since(start, passed: false, "cannot probe witness \(endpointText): \(error)")
        }
        let outcome = OneShot<Outcome>()
        state.withLock { state in
            state.waiting = (probe, outcome)
            state.ignored = 0
        }
        let envelope = AddressedEnvelope(remoteAddress: target, data: channel.allocator.buffer(bytes: datagram))
        channel.writeAndFlush(envelope).whenFailure { error in
            let reason = (error as? IOError).map { "cannot send: " + ProbeText.errorText($0.errnoCode) } ?? "\(error)"
            outcome.finish(.failed(reason))
        }
        let timer = Task { [timeout = check.timeout] in
            try? await Task.sleep(for: timeout)
            outcome.finish(.timedOut)
        }
        let result = await outcome.value(onCancel: .failed("cancelled"))
        timer.cancel()
        let ignored = state.withLock { state in
            state.waiting = nil
            return state.ignored
        }
        let note = ignored > 0 ? " (ignored \(ignored) datagram(s) that were not its answer)" : ""
        switch result {
        case .answered:
            return .since(start, passed: true, "witness \(endpointText) answered in "
                + ProbeText.time(ContinuousClock.now - start) + note)
        case .timedOut:
            return .since(start, passed: false, "no answer from witness \(endpointText) within "
                + check.timeout.shortDescription + note)
        case .failed(let reason):
            return .since(start, passed: false, "witness \(endpointText): \(reason)")
        }
    }

    func shutdown() async {
        let channel = state.withLock { state in
            defer { state.channel = nil }
            return state.channel
        }
        try? await channel?.close()
    }

    /// The kept socket, or a new one.
    private func openedChannel() async throws -> any Channel {
        if let channel = state.withLock({ $0.channel }), channel.isActive { return channel }
        let channel = try await DatagramBootstrap(group: NIOSingletons.posixEventLoopGroup)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AnswerHandler(probe: self))
                }
            }
            .bind(host: address.isIPv4 ? "0.0.0.0" : "::", port: 0).get()
        let previous = state.withLock { state in
            defer { state.channel = channel }
            return state.channel
        }
        try? await previous?.close()
        return channel
    }

    /// A datagram arrived: the waiting run's answer finishes it; anything else is counted.
    fileprivate func received(_ bytes: [UInt8]) {
        let outcome = state.withLock { state -> OneShot<Outcome>? in
            guard let waiting = state.waiting else { return nil }
            do {
                try codec.acceptAnswer(bytes, to: waiting.probe)
                return waiting.outcome
            } catch {
                state.ignored += 1
                return nil
            }
        }
        outcome?.finish(.answered)
    }

    enum Outcome: Sendable {
        case answered, timedOut
        case failed(String)
    }
}

/// The cluster's witness key and this node's name, for `witness` track targets.
public struct WitnessIdentity: Sendable {
    public var codec: WitnessCodec
    public var node: String

    public init(secret: [UInt8], cluster: String, node: String) {
        codec = WitnessCodec(secret: secret, cluster: cluster)
        self.node = node
    }
}

/// Hands each datagram to the probe.
private final class AnswerHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let probe: WitnessProbe

    init(probe: WitnessProbe) { self.probe = probe }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data).data
        probe.received(buffer.readBytes(length: min(buffer.readableBytes, WitnessCodec.maxDatagramSize + 1)) ?? [])
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors surface here on some kernels (port unreachable): not an answer; the timeout decides.
    }
}
