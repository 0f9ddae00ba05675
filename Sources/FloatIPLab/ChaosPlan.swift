import FloatIPCore

/// The faults of a chaos run, drawn from a seed: the same seed gives the same faults in the same
/// order (which node each hits still depends on who holds the address when it comes).
public struct ChaosPlan: Sendable {
    /// The seed the faults were drawn from.
    public let seed: UInt64
    /// The kinds it draws: `ChaosFault.Kind.peerKinds`, and the etcd faults with `--etcd`.
    public let kinds: [ChaosFault.Kind]
    private var random: SplitMix64
    /// The kinds still to come in this round: every kind once per round, in a random order, so
    /// that even a short run meets each of them.
    private var bag: [ChaosFault.Kind] = []

    public init(seed: UInt64, etcd: Bool = false) {
        self.seed = seed
        kinds = etcd ? ChaosFault.Kind.allCases : ChaosFault.Kind.peerKinds
        self.random = SplitMix64(seed: seed)
    }

    /// The next fault. Bounded by construction: every fault lasts at most 5 s.
    public mutating func next() -> ChaosFault {
        if bag.isEmpty {
            bag = kinds
            for index in bag.indices.reversed() where index > 0 { bag.swapAt(index, random.below(index + 1)) }
        }
        let kind = bag.removeLast()
        // The holder most of the time: that is where faults matter.
        let target: ChaosFault.Target = random.below(100) < 60 ? .holder : .other(random.below(4))
        switch kind {
        case .linkDown, .failingCheck:
            return ChaosFault(kind: kind, target: target, duration: milliseconds(500...4000))
        case .loss:
            return ChaosFault(kind: kind, target: target, duration: milliseconds(1000...5000), percent: 10 + random.below(41))
        case .partition:
            return ChaosFault(kind: kind, target: target, duration: milliseconds(1000...5000), twoWay: random.below(3) == 0,
                              peerIndex: random.below(4))
        case .stall:
            return ChaosFault(kind: kind, target: target, duration: milliseconds(100...5000))
        case .kill, .terminate:
            return ChaosFault(kind: kind, target: target, duration: milliseconds(500...3000))
        case .maintenance:
            return ChaosFault(kind: kind, target: target, duration: milliseconds(1000...4000))
        case .switchover:
            return ChaosFault(kind: kind, target: .other(random.below(4)), duration: .zero)
        case .etcdKill:
            // A third of them take two members of three: no quorum until one is back.
            return ChaosFault(kind: kind, target: target, duration: milliseconds(500...5000), peerIndex: random.below(3),
                              members: random.below(3) == 0 ? 2 : 1)
        case .etcdCut:
            return ChaosFault(kind: kind, target: target, duration: milliseconds(1000...5000))
        }
    }

    private mutating func milliseconds(_ range: ClosedRange<Int>) -> Duration {
        .milliseconds(range.lowerBound + random.below(range.count))
    }
}

extension SplitMix64 {
    /// A number in 0..<bound (bound > 0), by remainder: the mapping seeds of the chaos plan were drawn with.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
