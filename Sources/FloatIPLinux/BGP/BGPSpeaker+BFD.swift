import FloatIPBGP
import FloatIPCore
import Glibc

/// The speaker's BFD sessions (RFC 5880/5881), one per peer with `bfd: true`, on the speaker's
/// thread beside the BGP sessions. The router's end is what matters most: when this node freezes,
/// its BFD packets stop and the router drops its BGP session (and routes) after the detection time.
/// This end does the same when the router goes quiet (RFC 5882 §4.3: BFD down takes BGP down).
extension BGPSpeaker {
    func startBFD(_ sessions: inout [Running]) {
        let now = Instant.monotonicNow
        for index in sessions.indices {
            guard let packets = sessions[index].bfd?.start(now: now) else { continue }
            sendBFD(packets, to: index)
        }
    }

    func tickBFD(_ sessions: inout [Running]) {
        let now = Instant.monotonicNow
        for index in sessions.indices where sessions[index].bfd != nil {
            guard let (packets, change) = sessions[index].bfd?.tick(now: now, jitter: Double.random(in: 0.75...1)) else { continue }
            sendBFD(packets, to: index)
            if let change { changed(change, &sessions, index) }
        }
    }

    /// The waiting packets (at most 64 at a time), each to the session of the peer it came from;
    /// packets from anyone else are ignored.
    func receiveBFD(_ sessions: inout [Running]) {
        guard let socket = bfdSocket else { return }
        for _ in 0..<64 {
            guard let (bytes, from, ttl) = socket.receive() else { return }
            guard let index = peers.firstIndex(where: { $0.settings.address == from }), sessions[index].bfd != nil else { continue }
            guard let (packets, change) = sessions[index].bfd?.received(bytes, hopLimit: ttl, now: .monotonicNow) else { continue }
            sendBFD(packets, to: index)
            if let change { changed(change, &sessions, index) }
        }
    }

    private func sendBFD(_ packets: [BFDPacket], to index: Int) {
        guard let socket = bfdSocket else { return }
        for packet in packets { try? socket.send(packet.encode(), to: peers[index].settings.address) }
    }

    private func changed(_ change: BFDSession.Change, _ sessions: inout [Running], _ index: Int) {
        let peer = peers[index].settings
        switch change {
        case .up:
            logger.info("bfd: session with \(peer) up")
        case .down(let diagnostic):
            logger.warning("bfd: session with \(peer) down (\(diagnostic))")
            if sessions[index].connection != nil {
                drop(&sessions, index, reason: "BFD says the peer is down (\(diagnostic))")
            }
        }
    }
}
