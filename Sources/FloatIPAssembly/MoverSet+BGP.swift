import FloatIPBGP
import FloatIPCloud
import FloatIPCore
import FloatIPLinux
import Foundation
import Logging

extension MoverSet {
    /// The `bgp` movers of `groups` (those at `indices`), all on one speaker: one session per router,
    /// carrying every group's routes. `existing` is the running agent's speaker (a reload), reused
    /// when the peers are the same; changing peers or AS numbers needs a restart.
    static func bgpMovers(
        _ groups: [(index: Int, group: GroupConfig)], node: NodeConfig?, existing: BGPSpeaker?, logger: Logger
    ) throws(MoverSetupError) -> (speaker: BGPSpeaker, movers: [String: BGPMover])? {
        guard !groups.isEmpty else { return nil }
        var settings: [(group: GroupConfig, settings: BGPMoverSettings)] = []
        for (_, group) in groups {
            var check = OptionCheck(group.mover.options, nodeAddress: node?.address, addresses: group.addresses)
            guard let read = BGPMoverSettings.read(&check) else {
                throw MoverSetupError(message: check.problems.map { "group \(group.name): mover.\($0.key): \($0.message)" }
                    .joined(separator: "\n"))
            }
            settings.append((group, read))
        }
        var peers: [BGPSpeaker.Peer] = []
        var owners: [String] = []
        for (group, read) in settings {
            let password = try bgpPassword(read.passwordFile, group: group)
            for peer in read.peers {
                let wanted = BGPSpeaker.Peer(settings: peer, session: read.session(peer), password: password, bfd: read.bfd)
                if let index = peers.firstIndex(where: { $0.settings.address == peer.address }) {
                    guard peers[index] == wanted else {
                        throw MoverSetupError(message: "group \(group.name): mover: the session with \(peer.address) is set "
                            + "differently in group \(owners[index]) (AS numbers, router_id, hold_time, port and password "
                            + "must agree: each router gets one session from this node)")
                    }
                    continue
                }
                peers.append(wanted)
                owners.append(group.name)
            }
        }
        let speaker: BGPSpeaker
        if let existing {
            guard existing.peers == peers else {
                throw MoverSetupError(message: "the bgp movers' peers or sessions changed; restart the agent to apply that "
                    + "(a reload keeps the running sessions)")
            }
            speaker = existing
        } else {
            do {
                speaker = try BGPSpeaker(peers: peers, bfdAddress: node?.address, logger: logger)
            } catch {
                throw MoverSetupError(message: "bgp: cannot start the speaker: \(error)")
            }
        }
        var movers: [String: BGPMover] = [:]
        for (group, read) in settings {
            do {
                movers[group.name] = try BGPMover(speaker: speaker, settings: read, logger: logger.withGroup(group))
            } catch {
                throw MoverSetupError(message: "group \(group.name): cannot open the kernel's routing socket: \(error)")
            }
        }
        return (speaker, movers)
    }

    /// The TCP-MD5 password in `path` (its text, trimmed; 1–80 bytes), nil without a file.
    static func bgpPassword(_ path: String?, group: GroupConfig) throws(MoverSetupError) -> [UInt8]? {
        guard let path else { return nil }
        if let refusal = SecretFileRule.check(path, owner: true).refusal {
            throw MoverSetupError(message: "group \(group.name): mover.password_file: \(refusal)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MoverSetupError(message: "group \(group.name): mover.password_file \(path): cannot read it (missing or no permission)")
        }
        let password = Array(KeyFile.key(in: data).utf8)
        guard (1...TCPMD5.maximumKeyLength).contains(password.count) else {
            throw MoverSetupError(message: "group \(group.name): mover.password_file \(path): holds \(password.count) bytes; "
                + "a TCP-MD5 password has 1 to \(TCPMD5.maximumKeyLength)")
        }
        return password
    }

    /// Problems with a `bgp` mover's options (for `check-config`), the password file read as the agent will.
    static func bgpOptionProblems(_ group: GroupConfig, node: NodeConfig?) -> [MoverOptionProblem] {
        var check = OptionCheck(group.mover.options, nodeAddress: node?.address, addresses: group.addresses)
        let settings = BGPMoverSettings.read(&check)
        var problems = check.problems.map { MoverOptionProblem(field: "mover.\($0.key)", message: $0.message, isWarning: false) }
        if let settings {
            do {
                _ = try bgpPassword(settings.passwordFile, group: group)
            } catch {
                problems.append(MoverOptionProblem(field: "mover.password_file", message: error.message, isWarning: false))
            }
        }
        return problems
    }
}
