import FloatIPCore
import Foundation
import Glibc
import Synchronization

/// One virtual router on one interface: a `VRRPRouterMachine` driven by a `VRRPSocket` and the
/// monotonic clock, on a thread of its own that sleeps in poll(2) until a packet or the machine's
/// deadline. `claim` and `release` do the moving (the group's mover); they run on that thread.
///
/// Every advertisement that is dropped is counted by `VRRPError.reason` (`drops`).
public final class VRRPSpeaker: Sendable {
    /// Where advertisements go: the multicast group, or keepalived's `unicast_peer` list.
    public enum Destination: Sendable, Equatable {
        case multicast
        case unicast([IPAddress])
    }

    private struct State {
        var machine: VRRPRouterMachine
        var drops: [String: Int] = [:]
        var weight = 0
        var stopping = false
        var stopped = false
    }

    private let socket: VRRPSocket
    private let identity: VRRPRouterIdentity
    private let destination: Destination
    private let form: VRRPChecksumForm
    private let claim: @Sendable () -> Void
    private let release: @Sendable () -> Void
    private let state: Mutex<State>
    private let wakePipe: WakePipe
    private let done = DispatchSemaphore(value: 0)

    public init(
        config: VRRPRouterConfig, socket: VRRPSocket, destination: Destination = .multicast,
        form: VRRPChecksumForm = .pseudoHeader, claim: @escaping @Sendable () -> Void, release: @escaping @Sendable () -> Void
    ) throws {
        self.socket = socket
        identity = VRRPRouterIdentity(version: config.version, vrid: config.vrid, authentication: config.authentication)
        self.destination = destination
        self.form = form
        self.claim = claim
        self.release = release
        state = Mutex(State(machine: VRRPRouterMachine(config: config)))
        wakePipe = try WakePipe()
        let thread = Thread { [self] in run() }
        thread.name = "floatip-vrrp"
        thread.start()
    }

    /// The machine's state now.
    public var role: VRRPRouterMachine.State { state.withLock { $0.machine.state } }

    /// Dropped advertisements by reason.
    public var drops: [String: Int] { state.withLock { $0.drops } }

    /// Stops: a master sends priority 0 and releases. Returns once the thread has ended.
    public func stop() {
        state.withLock { $0.stopping = true }
        wakePipe.signal()
        done.wait()
    }

    private func run() {
        perform(state.withLock { $0.machine.start(now: .monotonicNow) })
        while true {
            let (deadline, stopping) = state.withLock { ($0.machine.deadline, $0.stopping) }
            if stopping {
                perform(state.withLock { $0.machine.stop() })
                break
            }
            var fds = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakePipe.readEnd, events: Int16(POLLIN), revents: 0)]
            let wait = deadline.map { max(0, Int32(clamping: ($0 - .monotonicNow).nanoseconds / 1_000_000 + 1)) } ?? -1
            _ = poll(&fds, 2, wait)
            if fds[1].revents != 0 { wakePipe.drain() }
            if fds[0].revents != 0 {
                for _ in 0..<64 {
                    guard let packet = try? socket.receive() else { break }
                    handle(packet)
                }
            }
            perform(state.withLock { $0.machine.tick(now: .monotonicNow) })
        }
        done.signal()
    }

    private func handle(_ packet: [UInt8]) {
        do {
            let (envelope, message) = try VRRPCodec.splitIPv4Packet(packet)
            guard envelope.source != socket.source else { return }
            let (advert, _) = try VRRPCodec.decode(message, envelope: envelope)
            try advert.check(against: identity)
            perform(state.withLock { $0.machine.receive(advert, from: envelope.source, now: .monotonicNow) })
        } catch {
            state.withLock { $0.drops[error.reason, default: 0] += 1 }
        }
    }

    private func perform(_ actions: [VRRPRouterMachine.Action]) {
        for action in actions {
            switch action {
            case .claim: claim()
            case .release: release()
            case .send(let advert):
                let targets: [IPAddress]
                switch destination {
                case .multicast: targets = [VRRPEnvelope.multicastGroup(ipv6: false)]
                case .unicast(let peers): targets = peers
                }
                for target in targets {
                    let envelope = VRRPEnvelope(source: socket.source, destination: target)
                    guard let message = try? VRRPCodec.encode(advert, envelope: envelope, form: form) else { continue }
                    try? socket.send(message, to: target)
                }
            }
        }
    }
}
