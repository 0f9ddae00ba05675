import FloatIPCore
import FloatIPLinux

/// An inner mover that records what it was asked, when, and holds or not accordingly; as an
/// `ExpiringMover` it records each bound with when it came.
actor RecordingMover: ExpiringMover {
    enum Operation: Equatable {
        case claim(epoch: UInt64)
        case release(epoch: UInt64)
        case announce
    }

    private(set) var operations: [Operation] = []
    private(set) var holds = false
    private(set) var releasedAt: ContinuousClock.Instant?
    private(set) var bounds: [(at: ContinuousClock.Instant, goneBy: ContinuousClock.Instant?)] = []

    func bound(_ group: String, goneBy instant: Instant?) async {
        bounds.append((ContinuousClock.now, instant?.continuous))
    }

    func claim(_ group: GroupConfig, epoch: UInt64) async throws {
        operations.append(.claim(epoch: epoch))
        holds = true
    }

    func release(_ group: GroupConfig, epoch: UInt64) async throws {
        operations.append(.release(epoch: epoch))
        if holds { releasedAt = ContinuousClock.now }
        holds = false
    }

    func announce(_ group: GroupConfig) async throws {
        operations.append(.announce)
    }

    func holder(of group: GroupConfig) async throws -> MoverHolder { holds ? .this : .none }
}

/// Faults reported by a fenced mover, in order.
actor FaultLog {
    private(set) var entries: [(group: String, reason: String?)] = []

    func record(_ group: String, _ reason: String?) { entries.append((group, reason)) }
}

let etcdGroup = GroupConfig(name: "web", addresses: [], interface: nil, priority: 100)
