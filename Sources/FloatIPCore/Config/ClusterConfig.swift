/// One node's configuration: the whole YAML file, validated.
///
/// Every field documented in docs/config.md. Values are already checked: a `ClusterConfig`
/// that exists is one the agent can run with.
public struct ClusterConfig: Sendable, Equatable {
    /// The cluster's name; peers must agree on it (it is part of every datagram).
    public var cluster: String
    /// This node.
    public var node: NodeConfig
    /// The other nodes of the cluster.
    public var peers: [PeerConfig]
    /// Path of the file holding the shared secret (never the secret itself).
    public var secretFile: String
    public var timers: Timers
    public var groups: [GroupConfig]
    public var checks: [CheckConfig]
    public var api: APIConfig
    /// `event_log`: the file the agent appends one JSON line per event to (absolute path); nil: no event log.
    public var eventLog: String?
    /// `coordination`: the external arbiter of who holds each group (etcd); nil: the peer protocol alone.
    public var coordination: CoordinationConfig?
    /// `track`: reference addresses this node must reach to hold anything; nil: no tracking.
    public var track: TrackConfig?
    /// `state_dir`: where the agent keeps what must outlive a restart (boot ids); nil: the agent's
    /// default (systemd's `$STATE_DIRECTORY`, else /var/lib/floatip).
    public var stateDirectory: String?

    public init(
        cluster: String, node: NodeConfig, peers: [PeerConfig], secretFile: String, timers: Timers,
        groups: [GroupConfig], checks: [CheckConfig], api: APIConfig, eventLog: String? = nil,
        coordination: CoordinationConfig? = nil, track: TrackConfig? = nil, stateDirectory: String? = nil
    ) {
        self.cluster = cluster
        self.node = node
        self.peers = peers
        self.secretFile = secretFile
        self.timers = timers
        self.groups = groups
        self.checks = checks
        self.api = api
        self.eventLog = eventLog
        self.coordination = coordination
        self.track = track
        self.stateDirectory = stateDirectory
    }
}

/// The UDP port the peer protocol uses unless the config says otherwise.
public let defaultPeerPort: UInt16 = 7453

/// This node: its name and its own (static, non-floating) address.
public struct NodeConfig: Sendable, Equatable {
    public var name: String
    public var address: IPAddress
    public var port: UInt16

    public init(name: String, address: IPAddress, port: UInt16 = defaultPeerPort) {
        self.name = name
        self.address = address
        self.port = port
    }
}

/// Another node of the cluster, reached over its own address.
public struct PeerConfig: Sendable, Equatable {
    public var name: String
    public var address: IPAddress
    public var port: UInt16

    public init(name: String, address: IPAddress, port: UInt16 = defaultPeerPort) {
        self.name = name
        self.address = address
        self.port = port
    }
}

/// How often nodes speak and how long silence lasts before a peer counts as dead.
public struct Timers: Sendable, Equatable {
    /// Time between two heartbeats. Default 20 ms.
    public var interval: Duration
    /// A peer silent for this many intervals is dead. Default 15 (300 ms at the default interval).
    public var deadAfter: Int
    /// A recovered preferred node waits this long, healthy, before taking its groups back. Default 10 s.
    public var preemptDelay: Duration
    /// After start, listen this long before any claim. Default: one dead interval.
    public var startupListen: Duration
    /// A holder that hands a group over waits at most this long for the new holder's claim. Default 5 s.
    public var handoverTimeout: Duration
    /// A standby with nothing to say heartbeats every `quietSpacing` intervals instead of every
    /// interval (docs/decision.md, quiet standbys). Default true.
    public var quietStandby: Bool

    public init(
        interval: Duration = .milliseconds(20), deadAfter: Int = 15, preemptDelay: Duration = .seconds(10),
        startupListen: Duration? = nil, handoverTimeout: Duration = .seconds(5), quietStandby: Bool = true
    ) {
        self.interval = interval
        self.deadAfter = deadAfter
        self.preemptDelay = preemptDelay
        self.startupListen = startupListen ?? interval * deadAfter
        self.handoverTimeout = handoverTimeout
        self.quietStandby = quietStandby
    }

    /// `interval × dead_after`: how long a peer may be silent before it counts as dead.
    public var deadInterval: Duration { interval * deadAfter }
}

/// A set of floating addresses that move together.
public struct GroupConfig: Sendable, Equatable {
    public var name: String
    /// The floating addresses, each with the prefix length it is configured with (default /32 or /128).
    /// Empty for a `dns` group: its record points at the holder's own address.
    public var addresses: [IPPrefix]
    /// The interface the addresses go on (for the `local` mover); with per-address interfaces, the
    /// group's first interface (where a VRRP group advertises).
    public var interface: String?
    /// Addresses that go on another interface than `interface` (`addresses: [{address, interface}]`):
    /// one failover unit across interfaces, e.g. a router's LAN and WAN addresses. Empty by default.
    public var addressInterfaces: [IPPrefix: String]
    public var mover: MoverConfig
    /// This node's priority for the group, 1–254 (higher wins).
    public var priority: Int
    /// Whether a recovered better-ranked node takes the group back after `preempt_delay`. Default true.
    public var preempt: Bool
    /// Names of the checks that affect this group; nil means every check.
    public var checks: [String]?
    /// Kernel lifetime of the addresses the `local` mover configures. Default 3 s.
    public var addressLifetime: AddressLifetime
    /// How the `local` mover announces a claim.
    public var announce: AnnounceConfig
    /// `virtual_mac: ID` (1–255): the `local` mover puts the addresses (IPv4 and IPv6) on a macvlan
    /// interface with the VRRP-style MAC 00:00:5e:00:01:ID, so clients' neighbour entries stay
    /// valid across a failover. nil (the default): the addresses go on `interface` itself.
    public var virtualMAC: UInt8?
    /// `hooks:`: what runs when this node's role for the group changes; the top-level `hooks:` with the
    /// group's own keys laid over it. `.none` when neither sets any.
    public var hooks: HooksConfig
    /// `track_interface:`: whether the group tracks its `interface`'s link (`InterfaceTracking`). Default true;
    /// without an `interface` there is nothing to track.
    public var trackInterface: Bool
    /// `protocol: vrrp` with its `vrrp:` settings: the group joins a VRRP virtual router (docs/vrrp.md).
    /// nil (`protocol: floatip`, the default): floatip's own signed heartbeats decide.
    public var vrrp: VRRPGroupConfig?

    public init(
        name: String, addresses: [IPPrefix], interface: String?, mover: MoverConfig = MoverConfig(kind: .local),
        priority: Int, preempt: Bool = true, checks: [String]? = nil, addressLifetime: AddressLifetime = .standard,
        announce: AnnounceConfig = AnnounceConfig(), virtualMAC: UInt8? = nil, hooks: HooksConfig = .none,
        trackInterface: Bool = true, vrrp: VRRPGroupConfig? = nil, addressInterfaces: [IPPrefix: String] = [:]
    ) {
        self.name = name
        self.addresses = addresses
        self.interface = interface
        self.addressInterfaces = addressInterfaces
        self.mover = mover
        self.priority = priority
        self.preempt = preempt
        self.checks = checks
        self.addressLifetime = addressLifetime
        self.announce = announce
        self.virtualMAC = virtualMAC
        self.hooks = hooks
        self.trackInterface = trackInterface
        self.vrrp = vrrp
    }
}

/// How a group's addresses move: every kind this build can run (a kind is added with its mover).
public enum MoverKind: String, Sendable, Equatable, CaseIterable {
    case local
    case digitalocean
    case hetzner
    case hetznerRobot = "hetzner-robot"
    case aws
    case vultr
    case linode
    case openstack
    case upcloud
    case lunanode
    case dns
    case cloudflare
    case route53
    case gcp
    case ovh
    case azure
    case script
    case azureLB = "azure-lb"
    /// Announces the addresses with BGP to the routers (`FloatIPBGP`; docs/bgp.md).
    case bgp

    /// The kinds that fail over by rewriting a DNS record to the holder's own address: their groups
    /// have no floating `addresses` and no `interface`.
    public var rewritesDNSRecord: Bool { self == .dns || self == .cloudflare || self == .route53 }
}

/// The mover of a group: its kind and the kind's own settings, kept as written so that each
/// mover validates its own options.
public struct MoverConfig: Sendable, Equatable {
    public var kind: MoverKind
    public var options: [String: String]

    public init(kind: MoverKind, options: [String: String] = [:]) {
        self.kind = kind
        self.options = options
    }
}

/// What kind of health check a check is.
public enum CheckKind: String, Sendable, Equatable, CaseIterable {
    case ping, tcp, http, command, process, systemd, file, log, interface
    /// Tracking (`track:`): never written under `checks:`; the agent synthesizes it (`TrackConfig.check`).
    case track

    /// The kinds a check under `checks:` may have.
    public static let configurable: [CheckKind] = allCases.filter { $0 != .track }
}

/// What a failing check does to the node.
public enum CheckEffect: Sendable, Equatable {
    /// Failing puts the node in `fault` for the groups that use the check.
    case required
    /// Failing adds this (possibly negative) number to the node's priority.
    case weight(Int)
}

/// One health check.
public struct CheckConfig: Sendable, Equatable {
    public var name: String
    public var kind: CheckKind
    public var target: String
    public var interval: Duration
    public var timeout: Duration
    /// Passing results in a row that turn a failing check passing. Default 2.
    public var rise: Int
    /// Failing results in a row that turn a passing check failing. Default 2.
    public var fall: Int
    public var effect: CheckEffect
    /// The kind's own settings; `CheckOptions.defaults(for: kind)` when the config sets none.
    public var options: CheckOptions
    /// Added by the agent, not written under `checks:` (interface tracking's `link IFACE`): it applies only
    /// to the groups it was added for, never through a group's "every check".
    public var implicit: Bool

    public init(
        name: String, kind: CheckKind, target: String, interval: Duration = .seconds(1),
        timeout: Duration = .milliseconds(500), rise: Int = 2, fall: Int = 2, effect: CheckEffect = .required,
        options: CheckOptions? = nil, implicit: Bool = false
    ) {
        self.name = name
        self.kind = kind
        self.target = target
        self.interval = interval
        self.timeout = timeout
        self.rise = rise
        self.fall = fall
        self.effect = effect
        self.options = options ?? .defaults(for: kind)
        self.implicit = implicit
    }
}

/// The operator's HTTP API: a Unix socket for the local CLI, and optionally TCP for remote monitoring.
public struct APIConfig: Sendable, Equatable {
    public var listenAddress: IPAddress
    public var listenPort: UInt16
    /// Whether the API also listens on TCP at `listenAddress:listenPort` (`api.listen: off` turns it off).
    public var tcpEnabled: Bool
    /// The Unix socket's path (`api.socket`); nil: /run/floatip/api.sock.
    public var socket: String?
    /// File holding the bearer token that mutating requests over TCP need; nil: mutating requests over TCP are refused.
    public var tokenFile: String?

    public init(
        listenAddress: IPAddress = .ipv4(127, 0, 0, 1), listenPort: UInt16 = 7454, tcpEnabled: Bool = true,
        socket: String? = nil, tokenFile: String? = nil
    ) {
        self.listenAddress = listenAddress
        self.listenPort = listenPort
        self.tcpEnabled = tcpEnabled
        self.socket = socket
        self.tokenFile = tokenFile
    }

    /// The socket's path when `api.socket` is not given: `api.sock` in the runtime directory.
    public static let defaultRuntimeDirectory = "/run/floatip"
    /// The longest Unix socket path the kernel takes (`sun_path` holds 108 bytes with the final NUL).
    public static let maximumSocketPath = 107
    /// The socket's file name in the runtime directory.
    public static let socketFileName = "api.sock"

    /// The socket's path: `api.socket`, else /run/floatip/api.sock. Not taken from systemd's
    /// `$RUNTIME_DIRECTORY`: the CLI, which has no such variable, must find the same path from the
    /// same config (two agents on one host each name their `api.socket`).
    public func socketPath() -> String {
        socket ?? Self.defaultRuntimeDirectory + "/" + Self.socketFileName
    }

    /// Whether TCP listens on a loopback address only (127.0.0.0/8 or ::1).
    public var listensOnLoopbackOnly: Bool {
        switch listenAddress {
        case .v4(let bits): bits >> 24 == 127
        case .v6(let high, let low): high == 0 && low == 1
        }
    }
}

extension APIConfig {
    /// `127.0.0.1:7454` or `[::1]:7454`, as `api.listen` is written.
    public var listen: String { endpoint(listenAddress, listenPort) }

    /// Parses `ADDRESS:PORT` as `api.listen` takes it (IPv6 in brackets); nil if it is not one.
    public static func parseListen(_ text: String) -> (address: IPAddress, port: UInt16)? {
        hostPort(text).map { (address: $0.0, port: $0.1) }
    }
}
