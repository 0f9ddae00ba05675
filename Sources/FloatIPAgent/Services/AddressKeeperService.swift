import FloatIPLinux
import ServiceLifecycle

/// The local mover's keeper as a service: renews the lifetime of held addresses and restores any
/// that are removed, until the agent has released them.
public struct AddressKeeperService: Service {
    let mover: LocalMover

    public init(mover: LocalMover) { self.mover = mover }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await mover.run() }
    }
}
