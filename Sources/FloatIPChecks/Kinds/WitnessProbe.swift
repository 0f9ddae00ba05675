import FloatIPCore
import NIOCore
import NIOPosix

/// One `witness ADDRESS:PORT` target of `track:`: each run sends one authenticated probe with a fresh random
/// nonce from a fresh UDP socket and passes when the witness's answer to that very probe arrives within the
/// timeout (docs/protocol.md, "Witness"). Datagrams that are not that answer (forged, replayed, another
/// probe's, a reflection of the probe itself) are ignored and counted in the detail.
struct WitnessProbe: CheckProbe {
    let check: CheckConfig
    let address: IPAddress
    let port: UInt16
    let codec: WitnessCodec
    let node: String

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
        do {
            datagram = try codec.encode(probe)
            target = try SocketAddress(ipAddress: "\(address)", port: Int(port))
        } catch {
            return .since(start, passed: false, "cannot probe witness \(endpointText): \(error)")
        }
        let outcome = OneShot<Outcome>()
        let ignored = IgnoredCount()
        let bootstrap = DatagramBootstrap(group: NIOSingletons.posixEventLoopGroup)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AnswerHandler(codec: codec, probe: probe, outcome: outcome, ignored: ignored))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: address.isIPv4 ? "0.0.0.0" : "::", port: 0).get()
        } catch {
            return .since(start, passed: false, "cannot open a socket for witness \(endpointText): \(error)")
        }
        defer { channel.close(promise: nil) }
        let envelope = AddressedEnvelope(remoteAddress: target, data: channel.allocator.buffer(bytes: datagram))
        channel.writeAndFlush(envelope).whenFailure { error in outcome.finish(.failed("\(error)")) }
        let timer = Task {
            try? await Task.sleep(for: check.timeout)
            outcome.finish(.timedOut)
        }
        defer { timer.cancel() }
        let result = await outcome.value(onCancel: .failed("cancelled"))
        let note = ignored.count > 0 ? " (ignored \(ignored.count) datagram(s) that were not its answer)" : ""
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

/// How many datagrams a run ignored.
private final class IgnoredCount: @unchecked Sendable {
    // Touched only on the channel's event loop, read after the run has finished waiting.
    var count = 0
}

/// Finishes the run on the answer to its probe; ignores anything else.
private final class AnswerHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let codec: WitnessCodec
    let probe: WitnessMessage
    let outcome: OneShot<WitnessProbe.Outcome>
    let ignored: IgnoredCount

    init(codec: WitnessCodec, probe: WitnessMessage, outcome: OneShot<WitnessProbe.Outcome>, ignored: IgnoredCount) {
        self.codec = codec
        self.probe = probe
        self.outcome = outcome
        self.ignored = ignored
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data).data
        let bytes = buffer.readBytes(length: min(buffer.readableBytes, WitnessCodec.maxDatagramSize + 1)) ?? []
        do {
            try codec.acceptAnswer(bytes, to: probe)
            outcome.finish(.answered)
        } catch {
            ignored.count += 1
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP errors surface here on some kernels (port unreachable): not an answer; the timeout decides.
    }
}
