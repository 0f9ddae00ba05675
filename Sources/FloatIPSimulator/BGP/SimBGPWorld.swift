import FloatIPCore

/// The BGP side of a `bgp` run: each node's session with the one router, as the node's speaker
/// and as the router see it. The routes themselves are the world's truth and live on the nodes
/// (`SimNode.routed`), beside `holds` (the speaker's own state: address on `lo`, announced).
struct SimBGPWorld {
    let settings: SimulatedBGPSettings
    /// Sessions are numbered per node; a message of an older session is dropped on arrival.
    var lastSession: [Int]
    /// The session the node's speaker believes established (nil: connecting or backing off).
    var speaker: [Int?]
    /// The session the router has with the node (nil: none; its routes are gone).
    var router: [Int?]
    /// The speaker found its session gone while stalled; it reconnects after its backoff on resume.
    var lostWhileStalled: [Bool]
    /// With `.reannouncesReleased`: the groups each speaker announced before its session went.
    var announcedBeforeLoss: [[Bool]]

    init(settings: SimulatedBGPSettings, nodes: Int, groups: Int) {
        self.settings = settings
        lastSession = Array(repeating: 0, count: nodes)
        speaker = Array(repeating: nil, count: nodes)
        router = Array(repeating: nil, count: nodes)
        lostWhileStalled = Array(repeating: false, count: nodes)
        announcedBeforeLoss = Array(repeating: Array(repeating: false, count: groups), count: nodes)
    }
}

/// What happens between the speakers and the router.
enum SimBGPEvent {
    /// The node's speaker establishes a session (waits while the node is stalled: the speaker is
    /// the agent's thread).
    case connect(node: Int, boot: Int)
    /// An UPDATE reaches the router: the group's route announced or withdrawn.
    case update(node: Int, session: Int, group: Int, announce: Bool)
    /// The router sees the session close (the host died: its kernel closed the TCP connection).
    case closed(node: Int, session: Int)
    /// The router's hold timer or BFD session expires for a node stalled since `stalledSince`.
    case silent(node: Int, session: Int, stalledSince: Instant)

    /// The node whose agent handles the event; the router's own events wait for nobody.
    var node: Int? {
        switch self {
        case .connect(let node, _): node
        case .update, .closed, .silent: nil
        }
    }
}
