import FloatIPCore
import FloatIPLinux
import NIOCore
import NIOPosix
import Synchronization

/// The `tcp` check: connects to `host:port`; with `send`, writes those bytes; with `expect`, reads until
/// the answer contains that text. Passes when all of that happens within the check's timeout.
///
/// A hostname is resolved at each run (NIO's resolver, both address families, happy eyeballs); an IP
/// address is used as it is. Each run opens its own connection and closes it before returning.
/// At most `readLimit` bytes of the answer are read.
struct TCPProbe: CheckProbe {
    let check: CheckConfig
    let endpoint: HostPort
    let send: [UInt8]?
    let expect: [UInt8]?

    /// The most bytes of an answer a run reads while looking for `expect`.
    static let readLimit = 64 * 1024

    init(check: CheckConfig, options: TCPCheckOptions) throws {
        self.check = check
        endpoint = try HostPort(parsing: check.target)
        send = options.send.map { Array($0.utf8) }
        expect = options.expect.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
    }

    func run() async -> CheckResult {
        let start = ContinuousClock.now
        let received = ReceivedBytes()
        let outcome = await withDeadline(check.timeout) { await exchange(received) }
        let duration = ContinuousClock.now - start
        guard let outcome else {
            return CheckResult(passed: false, detail: timedOutDetail(received.bytes), duration: duration)
        }
        return CheckResult(passed: outcome.passed, detail: outcome.detail, duration: duration)
    }

    private func timedOutDetail(_ received: [UInt8]?) -> String {
        let within = check.timeout.shortDescription
        guard let received else { return "no connection to \(endpoint) within \(within)" }
        guard let expect else { return "\(endpoint) timed out after connecting" }
        let got = received.isEmpty ? "nothing" : "\"\(DetailText.printable(received))\""
        return "no \"\(DetailText.printable(expect))\" from \(endpoint) within \(within) (got \(got))"
    }

    /// Connects, sends and reads; the caller's deadline cancels it.
    private func exchange(_ received: ReceivedBytes) async -> (passed: Bool, detail: String) {
        let connectTimeout = TimeAmount.nanoseconds(max(1, check.timeout.nanoseconds))
        let bootstrap = ClientBootstrap(group: NIOSingletons.posixEventLoopGroup).connectTimeout(connectTimeout)
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            let wrap: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
            if let address = endpoint.literalAddress {
                channel = try await bootstrap.connect(to: address, channelInitializer: wrap)
            } else {
                channel = try await bootstrap.connect(
                    host: endpoint.host, port: endpoint.port, channelInitializer: wrap)
            }
        } catch {
            return (false, ConnectionErrorText.describe(error, endpoint: endpoint.description))
        }
        received.connected()
        do {
            return try await channel.executeThenClose { inbound, outbound in
                if let send { try await outbound.write(ByteBuffer(bytes: send)) }
                guard let expect else { return (true, "connected to \(endpoint)") }
                for try await var chunk in inbound {
                    let bytes = received.append(chunk.readBytes(length: chunk.readableBytes) ?? [])
                    if bytes.firstRange(of: expect) != nil {
                        return (true, "\(endpoint) answered \"\(DetailText.printable(expect))\"")
                    }
                    if bytes.count >= Self.readLimit {
                        return (
                            false,
                            "no \"\(DetailText.printable(expect))\" in the first \(bytes.count) bytes from "
                                + "\(endpoint) (got \"\(DetailText.printable(bytes))\")"
                        )
                    }
                }
                let bytes = received.bytes ?? []
                let got = bytes.isEmpty ? "nothing" : "\"\(DetailText.printable(bytes))\""
                return (
                    false, "\(endpoint) closed the connection without \"\(DetailText.printable(expect))\" (got \(got))"
                )
            }
        } catch {
            return (false, ConnectionErrorText.describe(error, endpoint: endpoint.description))
        }
    }
}

/// What a TCP run has received so far, readable after its deadline cut it off. nil: not connected yet.
private final class ReceivedBytes: Sendable {
    private let state = Mutex<[UInt8]?>(nil)

    var bytes: [UInt8]? { state.withLock { $0 } }

    func connected() { state.withLock { $0 = $0 ?? [] } }

    /// Appends and returns everything received so far.
    func append(_ more: [UInt8]) -> [UInt8] {
        state.withLock { bytes in
            bytes = (bytes ?? []) + more
            return bytes ?? []
        }
    }
}
