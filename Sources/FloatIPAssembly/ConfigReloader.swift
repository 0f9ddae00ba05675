import FloatIPAgent
import FloatIPChecks
import FloatIPCore
import Foundation
import Logging

/// SIGHUP (and the unit's `ExecReload=`): reads the config file again and applies it to the running
/// agent (docs/operations.md, "Reload"). One reload at a time, in the order asked.
///
/// A file that does not parse, fails `check-config`'s rules, has an unreadable secret, or changes
/// what the running agent cannot (`ConfigReload.refusals`) changes nothing; the reason goes to the
/// log and the event log. Otherwise, in order: the movers of groups added or remade are made (a
/// failure refuses the reload, nothing moved yet); groups removed or remade are handed over
/// (maintenance on the group: make-before-break where a peer can take it, at most
/// `handover_timeout` + 1 s) and released; then the agent, the hooks and the checks take the new
/// config at once (checks unchanged keep their state, changed ones keep it until their runs change
/// it, new ones start unknown); held groups whose addresses, lifetime or announcements changed are reshaped in
/// place.
public actor ConfigReloader {
    /// What a reload did, for the log, the event log and tests.
    public enum Outcome: Sendable, Equatable {
        case applied(ConfigReload, secretChanged: Bool)
        case unchanged
        case refused([String])
    }

    private var cluster: ClusterConfig
    private var secret: [UInt8]
    private var movers: MoverSet
    private let agent: AgentCore
    private let hooks: HookRunner
    private let checks: CheckService
    private let log: AgentLog
    private let eventLog: EventLog?
    private let systemd: SystemdReporter?
    /// The reload running, the next one waits for it.
    private var last: Task<Outcome, Never>?
    /// How long a secret replaced by a reload is still accepted (and signed with, in a copy) while
    /// some peer has not been heard with the new one.
    public static let secretGrace: Duration = .seconds(600)

    init(_ parts: AssembledAgent.Parts) {
        cluster = parts.cluster
        secret = parts.secret
        movers = parts.movers
        agent = parts.agent
        hooks = parts.hooks
        checks = parts.checks
        log = parts.log
        eventLog = parts.eventLog
        systemd = parts.systemd
    }

    /// Reloads `file` after any reload still running; returns what it did.
    @discardableResult
    public func reload(_ file: String) async -> Outcome {
        let previous = last
        let task = Task {
            _ = await previous?.value
            return await self.apply(file)
        }
        last = task
        return await task.value
    }

    private func apply(_ file: String) async -> Outcome {
        systemd?.reloading()
        defer { systemd?.reloaded() }
        let new: ClusterConfig
        let newSecret: [UInt8]
        switch read(file) {
        case .failure(let refusal): return refuse(refusal.reasons)
        case .success(let read): (new, newSecret) = read
        }
        let change = ConfigReload(from: cluster, to: new)
        if !change.refusals.isEmpty { return refuse(change.refusals) }
        let secretChanged = newSecret != secret
        if secretChanged, new.track?.targets.contains(where: { if case .witness = $0 { true } else { false } }) == true {
            // The witness probe signs with the secret it was made with, and the witness knows one secret.
            return refuse(["secret_file: a new secret with a `floatip witness` under track: needs a restart of the "
                + "agents and the witness (docs/operations.md, \"Rotating the secret\")"])
        }
        guard !change.isEmpty || secretChanged else {
            cluster = new
            log.note("SIGHUP: reloaded \(file): nothing changed")
            eventLog?.append("reload", ["outcome": .string("unchanged")])
            return .unchanged
        }
        let leaving = change.groups.filter { change in
            switch change.change {
            case .removed, .remade: true
            default: false
            }
        }.map(\.name)
        let arriving = new.groups.filter { group in
            switch change.change(of: group.name) {
            case .added, .remade: true
            default: false
            }
        }
        let made: MoverSet
        do {
            made = try MoverSet.make(
                for: arriving, node: new.node, coordination: new.coordination, cluster: new.cluster, reusing: movers,
                logger: log.part("mover"))
        } catch {
            return refuse(["mover: \(error)"])
        }
        // Last of what can refuse the reload: the probes of the checks that are new or changed.
        let probes: [String: any CheckProbe]
        do {
            let fresh = new.runnableChecks.filter { !cluster.runnableChecks.contains($0) }
            probes = Dictionary(
                try AgentAssembly.makeProbes(fresh, of: new, secret: newSecret).map { ($0.check.name, $0) }) { a, _ in a }
        } catch {
            return refuse(["checks: cannot set up the checks: \(error)"])
        }
        log.note("SIGHUP: reloading \(file): \(change.summary)" + (secretChanged ? "; new secret" : ""))
        await handOver(leaving)
        for name in leaving {
            guard let old = cluster.groups.first(where: { $0.name == name }), let mover = movers.movers[name] else { continue }
            await agent.release(removed: old, mover: mover)
        }
        var table = movers.movers.filter { name, _ in new.groups.contains { $0.name == name } && !leaving.contains(name) }
        table.merge(made.movers) { _, made in made }
        movers.movers = table
        movers.groups = new.groups
        hooks.update(new.groups)
        let remade = Set(change.groups.compactMap { if case .remade = $0.change { $0.name } else { nil } })
        await agent.reconfigure(
            new, movers: table, fresh: remade, secret: secretChanged ? newSecret : nil, secretGrace: Self.secretGrace)
        checks.reconfigure(new, made: probes)
        var reshaped: [String] = []
        for (name, groupChange) in change.groups {
            guard case .changed(let fields, _, _) = groupChange,
                fields.contains(where: ["addresses", "address_lifetime", "announce"].contains),
                let old = cluster.groups.first(where: { $0.name == name }),
                let group = new.groups.first(where: { $0.name == name })
            else { continue }
            if await agent.reshape(group, from: old) { reshaped.append(name) }
        }
        cluster = new
        secret = newSecret
        log.note("SIGHUP: reloaded \(file): \(change.summary)" + (secretChanged ? "; new secret (the previous one "
            + "is accepted until every peer signs with the new one, at most \(Self.secretGrace.shortDescription))" : ""))
        var fields: [String: EventLog.Value] = ["outcome": .string("applied"), "summary": .string(change.summary)]
        fields["groups"] = .object(Dictionary(change.groups.map { ($0.name, ConfigReload.describe($0.change)) }) { a, _ in a })
        if secretChanged { fields["secret"] = .string("rotating") }
        eventLog?.append("reload", fields)
        return .applied(change, secretChanged: secretChanged)
    }

    /// Puts the held ones of `groups` into maintenance and waits (bounded, as a clean stop) until this
    /// node holds none of them: a peer took each (make-before-break), or none could and it was released.
    private func handOver(_ groups: [String]) async {
        let holding = await agent.roles().filter { $0.role == .holder && groups.contains($0.group) }.map(\.group)
        guard !holding.isEmpty else { return }
        log.note("reload: handing \(holding.joined(separator: ", ")) over before it changes")
        for group in holding { await agent.setMaintenance(true, group: group) }
        _ = await agent.waitUntilReleased(Set(holding), within: AssembledAgent.stopBounds(cluster).handover)
    }

    /// Why a reload changes nothing.
    private struct Refusal: Error {
        var reasons: [String]
    }

    /// The file's config and the secret it names, or why not.
    private func read(_ file: String) -> Result<(ClusterConfig, [UInt8]), Refusal> {
        guard let data = FileManager.default.contents(atPath: file) else {
            return .failure(Refusal(reasons: ["\(file): cannot read the config file"]))
        }
        guard let yaml = String(data: data, encoding: .utf8) else {
            return .failure(Refusal(reasons: ["\(file): the file is not UTF-8 text"]))
        }
        let new: ClusterConfig
        switch ConfigParser.parse(yaml: yaml, file: file) {
        case .failure(let errors): return .failure(Refusal(reasons: errors.problems.map(\.description)))
        case .success(let config): new = config
        }
        let found = ConfigValidation.validate(new, file: file, yaml: yaml)
        if !found.problems.isEmpty { return .failure(Refusal(reasons: found.problems.map(\.description))) }
        // As at start: warnings are said, and do not stop the reload.
        for warning in found.warnings { log.note("config: \(warning)", level: .warning) }
        do {
            return .success((new, Array(try KeyFile.read(new.secretFile, field: "secret_file").utf8)))
        } catch {
            return .failure(Refusal(reasons: [error.description]))
        }
    }

    /// Logs and records a refused reload (at most five reasons in the log line, all in the event log).
    private func refuse(_ reasons: [String]) -> Outcome {
        let more = reasons.count > 5 ? "; and \(reasons.count - 5) more" : ""
        log.note(
            "SIGHUP: reload refused, nothing changed; the agent keeps running with the config it had: "
                + reasons.prefix(5).joined(separator: "; ") + more, level: .error)
        eventLog?.append("reload", ["outcome": .string("refused"), "reasons": .string(reasons.joined(separator: "; "))])
        return .refused(reasons)
    }
}
