import Yams

extension ConfigReader {
    static let trackKeys = ["targets", "interval", "timeout", "rise", "fall"]

    /// `track: { targets, interval, timeout, rise, fall }`, optional. `.some(nil)` when absent; nil when it
    /// has problems. `timers` (when read) bounds how long a cut-off node may keep holding.
    mutating func trackConfig(
        _ top: Fields, timers: Timers?, node: Located<NodeConfig>?, peers: [Located<PeerConfig>]?
    ) -> TrackConfig?? {
        guard let node_ = value(top, "track", required: false) else { return .some(nil) }
        guard let entries = fields(node_, path: "track", allowed: ConfigReader.trackKeys) else { return nil }
        let targets = trackTargets(entries, node: node?.value, peers: peers?.map(\.value) ?? [])
        let interval = duration(entries, "interval", minimum: .milliseconds(10), maximum: .seconds(10))
        let timeout = duration(entries, "timeout", minimum: .milliseconds(1), maximum: .seconds(10))
        let rise = int(entries, "rise", required: false, in: 1...100, what: "from 1 to 100 rounds in a row")
        let fall = int(entries, "fall", required: false, in: 1...100, what: "from 1 to 100 rounds in a row")
        let read = ["interval": interval != nil, "timeout": timeout != nil, "rise": rise != nil, "fall": fall != nil]
        guard let targets, read.allSatisfy({ key, ok in ok || !entries.has(key) }) else { return nil }
        let track = TrackConfig(
            targets: targets, interval: interval ?? TrackConfig.defaultInterval,
            timeout: timeout ?? TrackConfig.defaultTimeout, rise: rise ?? TrackConfig.defaultRise,
            fall: fall ?? TrackConfig.defaultFall)
        if track.timeout >= track.interval {
            report(entries.path("timeout"), line: entries.line(of: timeout != nil ? "timeout" : "interval"),
                   "timeout \(DurationText.format(track.timeout)) must be shorter than track.interval "
                       + DurationText.format(track.interval))
            return nil
        }
        if let timers, track.releaseBound >= timers.deadInterval {
            let key = ["fall", "interval", "timeout"].first(where: entries.has) ?? "fall"
            report(entries.path(key), line: entries.line(of: key),
                   "fall × interval + timeout = \(track.fall) × \(DurationText.format(track.interval)) + "
                       + "\(DurationText.format(track.timeout)) = \(DurationText.format(track.releaseBound)) must be "
                       + "shorter than the dead interval (interval × dead_after = "
                       + "\(DurationText.format(timers.deadInterval))): a node cut off from every target must "
                       + "release before its peer stops hearing it and claims")
            return nil
        }
        return .some(track)
    }

    /// `targets: [198.18.0.254, "witness 198.18.0.9:7455"]` (required, at least one, each once, none of them
    /// this node or a peer).
    private mutating func trackTargets(_ entries: Fields, node: NodeConfig?, peers: [PeerConfig])
        -> [TrackConfig.Target]?
    {
        distinctTextList(
            entries, "targets",
            of: "reference addresses (`198.18.0.254`, or `witness 198.18.0.9` for a `floatip witness`)",
            empty: "needs at least one target, e.g. `[198.18.0.254]` (the gateway)", each: "target"
        ) { text throws(ItemProblem) in
            guard let target = Self.trackTarget(text) else {
                throw ItemProblem("`\(text)` is not a track target; write an IP address to ping (`198.18.0.254`) or "
                    + "`witness ADDRESS[:PORT]` for a `floatip witness` (`witness 198.18.0.9`, "
                    + "`witness [2001:2::9]:7455`; port \(TrackConfig.defaultWitnessPort) by default)")
            }
            if let node, target.address == node.address {
                throw ItemProblem("\(target.address) is this node's own address (node.address); a track target "
                    + "must be another machine: the gateway or a witness")
            }
            if let peer = peers.first(where: { $0.address == target.address }) {
                throw ItemProblem("\(target.address) is peer \(peer.name)'s address; tracking a peer cannot tell "
                    + "which side of a cut between the two is cut off: track the gateway or a witness")
            }
            return target
        }
    }

    /// `198.18.0.254` → ping; `witness 198.18.0.9`, `witness 198.18.0.9:7455`, `witness 2001:2::9`,
    /// `witness [2001:2::9]:7455` → witness. Nil for anything else.
    static func trackTarget(_ text: String) -> TrackConfig.Target? {
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        if words.count == 1, let address = IPAddress(String(words[0])) { return .ping(address) }
        guard words.count == 2, words[0] == "witness" else { return nil }
        let rest = String(words[1])
        if let address = IPAddress(rest) { return .witness(address, port: TrackConfig.defaultWitnessPort) }
        guard let (address, port) = hostPort(rest) else { return nil }
        return .witness(address, port: port)
    }
}
