import FloatIPCore

/// One simulated VRRP router: floatip's own `VRRPRouterMachine` (what a `protocol: vrrp` group runs)
/// or the keepalived model. The simulator drives both alike, as `VRRPSpeaker` drives the machine.
enum SimVRRPRouter: Sendable {
    case floatip(VRRPRouterMachine)
    case keepalived(KeepalivedModel)

    /// A router of `kind` with `config`; `configuredMaster` is keepalived's `state MASTER`.
    init(kind: VRRPNodeKind, config: VRRPRouterConfig, configuredMaster: Bool, defect: KeepalivedModel.Defect? = nil) {
        switch kind {
        case .floatip: self = .floatip(VRRPRouterMachine(config: config))
        case .keepalived:
            self = .keepalived(KeepalivedModel(config: config, configuredMaster: configuredMaster, defect: defect))
        }
    }

    var isMaster: Bool {
        switch self {
        case .floatip(let machine): machine.state == .master
        case .keepalived(let model): model.phase == .master
        }
    }

    var isStopped: Bool {
        switch self {
        case .floatip(let machine): machine.state == .initialize
        case .keepalived(let model): model.phase == .fault
        }
    }

    /// The state's name, for the timeline.
    var stateName: String {
        switch self {
        case .floatip(let machine): machine.state.rawValue
        case .keepalived(let model): model.phase.rawValue
        }
    }

    /// The router's own address (the tie-break between equal priorities).
    var ownAddress: IPAddress {
        switch self {
        case .floatip(let machine): machine.config.ownAddress
        case .keepalived(let model): model.config.ownAddress
        }
    }

    var priority: UInt8 {
        switch self {
        case .floatip(let machine): machine.effectivePriority
        case .keepalived(let model): model.priority
        }
    }

    var deadline: Instant? {
        switch self {
        case .floatip(let machine): machine.deadline
        case .keepalived(let model): model.timer
        }
    }

    mutating func start(now: Instant) -> [VRRPRouterMachine.Action] {
        apply { $0.start(now: now) } keepalived: { $0.start(now: now) }
    }

    mutating func stop() -> [VRRPRouterMachine.Action] {
        apply { $0.stop() } keepalived: { $0.stop() }
    }

    mutating func setWeight(_ weight: Int) {
        _ = apply { $0.setWeight(weight); return [] } keepalived: { $0.setWeight(weight); return [] }
    }

    mutating func tick(now: Instant) -> [VRRPRouterMachine.Action] {
        apply { $0.tick(now: now) } keepalived: { $0.tick(now: now) }
    }

    mutating func receive(_ advert: VRRPAdvertisement, from sender: IPAddress, now: Instant) -> [VRRPRouterMachine.Action] {
        apply { $0.receive(advert, from: sender, now: now) } keepalived: { $0.receive(advert, from: sender, now: now) }
    }

    private mutating func apply(
        _ floatip: (inout VRRPRouterMachine) -> [VRRPRouterMachine.Action],
        keepalived: (inout KeepalivedModel) -> [VRRPRouterMachine.Action]
    ) -> [VRRPRouterMachine.Action] {
        switch self {
        case .floatip(var machine):
            let actions = floatip(&machine)
            self = .floatip(machine)
            return actions
        case .keepalived(var model):
            let actions = keepalived(&model)
            self = .keepalived(model)
            return actions
        }
    }
}

/// What runs on a simulated VRRP node.
public enum VRRPNodeKind: String, Sendable, CaseIterable {
    /// floatip's agent with a `protocol: vrrp` group (`VRRPRouterMachine`).
    case floatip
    /// keepalived 2.2.7 (`KeepalivedModel`).
    case keepalived
}
