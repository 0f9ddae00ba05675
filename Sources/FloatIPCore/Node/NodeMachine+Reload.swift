// A reload (docs/operations.md, "Reload"): the node takes a new config in place, and a new secret
// with a rotation window.

/// A secret being rotated out: the node signs every heartbeat with the new secret and sends a copy
/// signed with this one, and accepts datagrams signed with either, until every peer has been heard
/// with the new one or `until` passes.
public struct SecretRotation: Sendable {
    let codec: HeartbeatCodec
    /// When the previous secret stops being accepted and used, whatever the peers say.
    public let until: Instant
    /// The peers heard signing with the new secret since the rotation began.
    public internal(set) var speakingNew: Set<String> = []

    /// How a rotation ended.
    public enum End: Sendable, Equatable {
        /// Every peer signs with the new secret.
        case everyPeer
        /// The grace ran out; these peers were not heard with the new secret (they will be refused).
        case expired(notHeard: [String])
    }
}

extension NodeMachine {
    /// Takes `new` as this node's config, at `now`. Groups kept by name keep their engine (role, term,
    /// views), with the new `preempt` and timers; groups new to the config, and those in `fresh`, get a
    /// new engine that starts listening now; groups no longer in it are dropped (the shell hands them
    /// over or releases them first). Peers added start unheard, removed ones are forgotten. With
    /// `secret` (a new one), the old one is rotated out over `secretGrace` (`SecretRotation`).
    /// The caller ticks afterwards.
    public mutating func reconfigure(
        _ new: ClusterConfig, fresh: Set<String> = [], secret: [UInt8]? = nil, secretGrace: Duration = .zero,
        now: Instant
    ) {
        let old = engines
        engines = new.groups.map { group in
            if !fresh.contains(group.name), var engine = old.first(where: { $0.group == group.name }) {
                engine.preempt = group.preempt
                engine.timers = new.timers
                return engine
            }
            return Self.engine(for: group, in: new, now: now)
        }
        let names = Set(new.groups.map(\.name))
        conditions = conditions.filter { names.contains($0.key) && !fresh.contains($0.key) }
        for group in new.groups where conditions[group.name] == nil {
            // Unhealthy until the checks report (the shell hands their verdict over next).
            conditions[group.name] = LocalCondition(healthy: false, faultReason: "reloaded: waiting for the checks", priority: group.priority)
        }
        maintenanceGroups = maintenanceGroups.filter { names.contains($0) && !fresh.contains($0) }
        let peerNames = Set(new.peers.map(\.name))
        peers = peers.filter { peerNames.contains($0.key) }
        for peer in new.peers where peers[peer.name] == nil { peers[peer.name] = PeerRecord() }
        config = new
        (halfDead, halfInterval, stepSlack) = Self.fractions(new.timers)
        views = Array(repeating: [], count: engines.count)
        refreshViews()
        if let secret {
            rotation = SecretRotation(codec: codec, until: now + secretGrace)
            codec = HeartbeatCodec(secret: secret, cluster: new.cluster)
        }
    }

    /// The secret being rotated out, if any.
    public var secretRotation: SecretRotation? { rotation }

    /// `datagram` decoded with the previous secret while one is being rotated out; nil otherwise.
    func decodeWithPrevious(_ datagram: some Collection<UInt8>, now: Instant) -> Heartbeat? {
        guard let rotation, now < rotation.until else { return nil }
        return try? rotation.codec.decode(datagram)
    }

    /// `peer` signed with the current secret: once every peer has, the previous one is dropped.
    mutating func heardCurrentSecret(from peer: String, into output: inout NodeOutput) {
        guard rotation != nil else { return }
        rotation?.speakingNew.insert(peer)
        guard config.peers.allSatisfy({ rotation?.speakingNew.contains($0.name) == true }) else { return }
        rotation = nil
        output.secretRotation = .everyPeer
    }

    /// Drops the previous secret once its grace has passed.
    mutating func endRotationIfExpired(now: Instant, into output: inout NodeOutput) {
        guard let rotation, now >= rotation.until else { return }
        self.rotation = nil
        output.secretRotation = .expired(notHeard: config.peers.map(\.name).filter { !rotation.speakingNew.contains($0) })
    }
}
