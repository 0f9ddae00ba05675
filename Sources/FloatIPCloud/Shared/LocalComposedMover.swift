import FloatIPCore
import FloatIPLinux

/// A cloud mover whose addresses must also be on this server's interface (Hetzner Cloud floating
/// IPs, an AWS secondary private IP): claim routes the address here at the provider, then
/// configures and announces it locally; release removes it locally, then unassigns it.
/// The holder is the provider's answer: it decides where traffic goes.
public struct LocalComposedMover: Mover, MoverTelemetrySource {
    public let cloud: any Mover & MoverTelemetrySource
    public let local: LocalMover

    public init(cloud: any Mover & MoverTelemetrySource, local: LocalMover) {
        self.cloud = cloud
        self.local = local
    }

    public func claim(_ group: GroupConfig, epoch: UInt64) async throws {
        try await cloud.claim(group, epoch: epoch)
        try await local.claim(group, epoch: epoch)
    }

    public func release(_ group: GroupConfig, epoch: UInt64) async throws {
        var localError: (any Error)?
        do { try await local.release(group, epoch: epoch) } catch { localError = error }
        try await cloud.release(group, epoch: epoch)
        if let localError { throw localError }
    }

    public func announce(_ group: GroupConfig) async throws {
        try await cloud.announce(group)
        try await local.announce(group)
    }

    public func holder(of group: GroupConfig) async throws -> MoverHolder { try await cloud.holder(of: group) }

    public func telemetry() -> MoverTelemetry { cloud.telemetry() }

    public func noteDrift() { cloud.noteDrift() }
}
