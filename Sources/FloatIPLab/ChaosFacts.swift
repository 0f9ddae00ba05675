/// What the chaos run recorded besides faults and address samples, for the judge. Times are
/// offsets from the start of the run.

/// One request of the client's probe.
public struct ChaosRequest: Sendable, Equatable {
    /// When it went out.
    public var sent: Duration
    /// When its answer came, if one did.
    public var answered: Duration?
    /// Who answered.
    public var node: String?

    public init(sent: Duration, answered: Duration? = nil, node: String? = nil) {
        self.sent = sent
        self.answered = answered
        self.node = node
    }
}

/// An agent that exited without the tool having killed it.
public struct ChaosCrash: Sendable, Equatable {
    public var node: Int
    public var pid: Int32
    /// When the tool noticed.
    public var at: Duration
    /// The end of its log.
    public var logTail: String

    public init(node: Int, pid: Int32, at: Duration, logTail: String) {
        self.node = node
        self.pid = pid
        self.at = at
        self.logTail = logTail
    }
}

/// One reading of an agent's resources (`/proc/PID/status`, `/proc/PID/fd`).
public struct ChaosResourceReading: Sendable, Equatable {
    public var at: Duration
    /// Resident set size (VmRSS), KiB.
    public var rssKiB: Int
    public var threads: Int
    public var descriptors: Int

    public init(at: Duration, rssKiB: Int, threads: Int, descriptors: Int) {
        self.at = at
        self.rssKiB = rssKiB
        self.threads = threads
        self.descriptors = descriptors
    }
}

/// An agent process's first and last readings.
public struct ChaosAgentResources: Sendable, Equatable {
    public var node: Int
    public var pid: Int32
    public var first: ChaosResourceReading
    public var last: ChaosResourceReading

    public init(node: Int, pid: Int32, first: ChaosResourceReading, last: ChaosResourceReading) {
        self.node = node
        self.pid = pid
        self.first = first
        self.last = last
    }
}

/// Everything the judge looks at.
public struct ChaosFacts: Sendable {
    public var nodes: Int
    public var events: [ChaosEvent]
    public var samples: [ChaosSample]
    public var requests: [ChaosRequest]
    /// A request not answered within this counts as failed.
    public var requestTimeout: Duration
    public var crashes: [ChaosCrash]
    public var resources: [ChaosAgentResources]
    /// Events after which the cluster did not settle within `ChaosRules.settleLimit` (indices into `events`).
    public var unsettled: [Int]

    public init(
        nodes: Int, events: [ChaosEvent], samples: [ChaosSample], requests: [ChaosRequest] = [],
        requestTimeout: Duration = .milliseconds(100), crashes: [ChaosCrash] = [], resources: [ChaosAgentResources] = [],
        unsettled: [Int] = []
    ) {
        self.nodes = nodes
        self.events = events
        self.samples = samples
        self.requests = requests
        self.requestTimeout = requestTimeout
        self.crashes = crashes
        self.resources = resources
        self.unsettled = unsettled
    }
}
