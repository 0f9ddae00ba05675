import FloatIPCore

extension AgentCore {
    /// Calls `observer` on the agent's actor at the end of every pass of the decision loop: each
    /// timer tick (at least once a heartbeat interval), datagram, mover answer, health change and
    /// operator command. A loop that is stuck stops calling it, which is what a watchdog wants to
    /// know (`SystemdReporter` pings systemd from here). The observer must be quick: it runs
    /// before the next input is handled. One observer; a later call replaces it.
    public func observeLoop(_ observer: @escaping @Sendable (isolated AgentCore) -> Void) {
        loopObserver = observer
    }

    /// How many peers were heard within the dead interval, of how many configured.
    public func peerLiveness() -> (alive: Int, total: Int) {
        let now = clock.now()
        let alive = config.peers.filter { peer in machine.aliveUntil(peer: peer.name).map { now < $0 } ?? false }.count
        return (alive, config.peers.count)
    }
}
