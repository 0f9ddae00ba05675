import CFloatIPLinux
import FloatIPCore
import Foundation
import Glibc
import Synchronization

/// One virtual router on one interface: a `VRRPRouterMachine` driven by a `VRRPSocket` and the
/// monotonic clock, on a thread of its own that sleeps in poll(2) until a packet or the machine's
/// deadline. `claim` and `release` do the moving (the group's mover); they run on that thread.
///
/// Every advertisement that is dropped is counted by `VRRPError.reason` (`drops`). `set(running:weight:)`
/// suspends the router (a fault, maintenance: it sends priority 0 if master, releases, and keeps
/// silent) and resumes it, and adjusts its advertised priority by the checks' weights.
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
        var running: Bool
        /// The last other router that advertised as master (priority above 0), heard in any state.
        var heard: (address: IPAddress, priority: UInt8, at: Instant)?
        var stopping = false
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
        form: VRRPChecksumForm = .pseudoHeader, running: Bool = true, claim: @escaping @Sendable () -> Void,
        release: @escaping @Sendable () -> Void
    ) throws {
        self.socket = socket
        identity = VRRPRouterIdentity(version: config.version, vrid: config.vrid, authentication: config.authentication)
        self.destination = destination
        self.form = form
        self.claim = claim
        self.release = release
        state = Mutex(State(machine: VRRPRouterMachine(config: config), running: running))
        wakePipe = try WakePipe()
        let thread = Thread { [self] in run() }
        thread.name = "floatip-vrrp"
        thread.start()
    }

    /// The machine's state now.
    public var role: VRRPRouterMachine.State { state.withLock { $0.machine.state } }

    /// Dropped advertisements by reason.
    public var drops: [String: Int] { state.withLock { $0.drops } }

    /// The priority advertised now, and the other master heard within the last three intervals (also
    /// while suspended; nil when none was).
    public var view: (priority: UInt8, master: (address: IPAddress, priority: UInt8)?) {
        let now = Instant.monotonicNow
        return state.withLock { state in
            let recent = state.heard.flatMap { now - $0.at <= state.machine.masterAdvertInterval * 3 ? $0 : nil }
            return (state.machine.effectivePriority, recent.map { ($0.address, $0.priority) })
        }
    }

    /// Runs the router (`running`: it listens, and takes over as VRRP says) or suspends it (a master
    /// sends priority 0 and releases; then silence), with `weight` added to the configured priority.
    public func set(running: Bool, weight: Int) {
        state.withLock {
            $0.running = running
            $0.weight = weight
        }
        wakePipe.signal()
    }

    /// Stops: a master sends priority 0 and releases. Returns once the thread has ended.
    public func stop() {
        let already = state.withLock { state in
            defer { state.stopping = true }
            return state.stopping
        }
        guard !already else { return }
        wakePipe.signal()
        done.wait()
    }

    private func run() {
        while true {
            let (deadline, stopping, actions) = state.withLock { state in
                // The wanted state first: a suspend or resume, a new weight.
                state.machine.setWeight(state.weight)
                var actions: [VRRPRouterMachine.Action] = []
                if state.stopping || !state.running {
                    actions = state.machine.stop()
                } else if state.machine.state == .initialize {
                    actions = state.machine.start(now: .monotonicNow)
                }
                return (state.machine.deadline, state.stopping, actions)
            }
            perform(actions)
            if stopping { break }
            var fds = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakePipe.readEnd, events: Int16(POLLIN), revents: 0)]
            let wait = deadline.map { max(0, Int32(clamping: ($0 - .monotonicNow).nanoseconds / 1_000_000 + 1)) } ?? -1
            _ = poll(&fds, 2, wait)
            if fds[1].revents != 0 { wakePipe.drain() }
            if fds[0].revents != 0 {
                for _ in 0..<64 {
                    guard let received = try? socket.receive() else { break }
                    handle(received)
                }
            }
            perform(state.withLock { $0.machine.tick(now: .monotonicNow) })
        }
        done.signal()
    }

    private func handle(_ received: Result<(envelope: VRRPEnvelope, message: ArraySlice<UInt8>), VRRPError>) {
        do throws(VRRPError) {
            let (envelope, message) = try received.get()
            // The unbound socket sees every VRRP packet delivered here: only the group's and ours count.
            let group = VRRPEnvelope.multicastGroup(ipv6: !socket.source.isIPv4)
            guard envelope.source != socket.source, envelope.destination == socket.source || envelope.destination == group
            else { return }
            let (advert, _) = try VRRPCodec.decode(message, envelope: envelope)
            try advert.check(against: identity)
            // As keepalived (vrrp.c, vrrp_check_packet): a multicast router takes the group's advertisements,
            // a unicast one those sent to its own address, by one of its peers.
            switch destination {
            case .multicast:
                guard envelope.destination == group else { throw VRRPError.wrongDestination(envelope.destination) }
            case .unicast(let peers):
                guard envelope.destination == socket.source else { throw VRRPError.wrongDestination(envelope.destination) }
                guard peers.contains(envelope.source) else { throw VRRPError.notAPeer(envelope.source) }
            }
            let now = Instant.monotonicNow
            perform(state.withLock { state in
                if advert.priority > 0 { state.heard = (envelope.source, advert.priority, now) }
                return state.machine.receive(advert, from: envelope.source, now: now)
            })
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
                case .multicast: targets = [VRRPEnvelope.multicastGroup(ipv6: !socket.source.isIPv4)]
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
