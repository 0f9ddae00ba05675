import FloatIPCore
import FloatIPLinux
import Foundation
import Logging
import Synchronization

/// The `dns` mover: the holder of a group is whoever a DNS name points at.
///
/// - claim: one RFC 2136 UPDATE, signed with TSIG, that replaces the name's A (and/or AAAA) RRset
///   with this node's address; then asks the servers until they answer the new address, and
///   records the time from the start of the claim to that answer.
/// - release: by default nothing (the next holder's claim replaces the record, so the name never
///   points nowhere); with `release: delete`, deletes the record only while it still holds this
///   node's address.
/// - holder: asks the authoritative servers and compares their answer with this node's address.
/// - announce: nothing to announce.
///
/// DNS cannot fence: the claim epoch is not used. Clients see the change when their resolvers'
/// cached copy expires (the TTL).
public final class DNSMover: Mover, MoverTelemetrySource {
    public let settings: DNSMoverSettings
    let client: DNSClient
    private let logger: Logger
    private let state: Mutex<DNSMoverStatus>
    /// The same, as status and metrics show every provider-backed mover.
    private let recorded: Mutex<MoverTelemetry>
    /// How often a claim asks again while the servers do not yet answer the new address.
    static let readBackInterval = Duration.milliseconds(20)

    /// Makes the mover and reads its key file. `logger` receives one line per claim and release.
    public init(settings: DNSMoverSettings, logger: Logger = .silent) throws(DNSMoverError) {
        self.settings = settings
        self.logger = logger
        var key: TSIGKey?
        if let path = settings.keyFile {
            if let refusal = SecretFileRule.check(path).refusal { throw DNSMoverError(message: "dns: key_file: \(refusal)") }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DNSMoverError(message: "dns: cannot read key_file \(path) (missing, or not readable by this user)")
            }
            do {
                let parsed = try TSIGKeyFile.parse(String(decoding: data, as: UTF8.self), name: settings.keyName)
                guard parsed.algorithm == settings.algorithm else {
                    throw TSIGKeyFileError.invalid("the key's algorithm is \(parsed.algorithm), the config says \(settings.algorithm)")
                }
                key = parsed
            } catch {
                throw DNSMoverError(message: "dns: key_file \(path): \(error)")
            }
        }
        client = DNSClient(servers: settings.servers, timeout: settings.timeout, key: key)
        state = Mutex(DNSMoverStatus(name: settings.name))
        recorded = Mutex(MoverTelemetry(kind: "dns"))
    }

    public func telemetry() -> MoverTelemetry {
        var telemetry = recorded.withLock { $0 }
        let status = self.status
        telemetry.answer = status.description
        if let answer = status.answer {
            telemetry.providerHolder = answer.addresses.isEmpty ? nil : answer.addresses.map(\.description).joined(separator: ", ")
            telemetry.providerHoldsHere = Set(answer.addresses) == Set(settings.addresses)
        }
        return telemetry
    }

    public func noteDrift() { recorded.withLock { $0.drifts += 1 } }

    /// Records one call (`UPDATE name`, `QUERY name`) that took `took`, and its error if it failed.
    private func note(_ call: String, took: Duration, error: String? = nil) {
        recorded.withLock {
            $0.lastCall = "\(call) \(settings.name)"
            $0.lastCallAtMs = UInt64(Date().timeIntervalSince1970 * 1000)
            $0.latencyMs = Double(took.components.seconds) * 1000 + Double(took.components.attoseconds) / 1e15
            $0.calls += 1
            if let error {
                $0.failures += 1
                $0.lastError = error
            } else {
                $0.lastError = nil
            }
        }
    }

    /// The record as last answered, and the last claim's time to answer.
    public var status: DNSMoverStatus { state.withLock { $0 } }

    private var keyName: String? { client.key?.name.description }

    private var published: String {
        settings.addresses.map { "\(DNSType.address($0)) \($0)" }.joined(separator: ", ")
    }

    public func claim(_ group: GroupConfig, epoch: UInt64) async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let server: DNSServer
        do {
            server = try await client.replaceAddresses(
                zone: settings.zone, name: settings.name, addresses: settings.addresses, ttl: settings.ttl)
            note("UPDATE", took: clock.now - started)
        } catch {
            let failure = DNSMoverError.update("update of", settings: settings, keyName: keyName, error)
            note("UPDATE", took: clock.now - started, error: "\(failure)")
            throw failure
        }
        // The update is applied; wait (bounded) until the servers answer it, which is what clients' resolvers ask.
        let deadline = started + settings.timeout * 2
        var answer = try await ask()
        while Set(answer.addresses) != Set(settings.addresses), clock.now < deadline {
            try await Task.sleep(for: Self.readBackInterval)
            answer = try await ask()
        }
        let took = clock.now - started
        guard Set(answer.addresses) == Set(settings.addresses) else {
            throw DNSMoverError(message: "dns: \(server) accepted the update of \(settings.name) to \(published), but the "
                + "servers still answer \(answer.addresses.map(\.description).joined(separator: ", ")) after "
                + took.shortDescription)
        }
        state.withLock { $0.claimToAnswer = took }
        let line = "dns: group \(group.name): \(settings.name) → \(published) (TTL \(settings.ttl) s) by \(server); "
            + "answered after \(took.shortDescription)"
        logger.info("\(line)")
    }

    public func release(_ group: GroupConfig, epoch: UInt64) async throws {
        switch settings.release {
        case .keep:
            let line = "dns: group \(group.name): release leaves \(settings.name) as it is (release: keep); "
                + "the next holder's claim replaces it"
            logger.info("\(line)")
        case .delete:
            let update = DNSUpdate.deleteAddresses(
                id: 0, zone: settings.zone, name: settings.name, ifHolding: settings.addresses)
            do {
                let (answer, server) = try await client.exchange(update, accepting: [.noError, .nxRRSet])
                if answer.rcode == .nxRRSet {
                    logger.info("dns: group \(group.name): \(settings.name) no longer holds \(published) at \(server); left as it is")
                } else {
                    logger.info("dns: group \(group.name): deleted \(published) of \(settings.name) at \(server)")
                }
            } catch {
                throw DNSMoverError.update("delete of", settings: settings, keyName: keyName, error)
            }
        }
    }

    public func announce(_ group: GroupConfig) async throws {}

    public func holder(of group: GroupConfig) async throws -> MoverHolder {
        let answer = try await ask()
        if answer.addresses.isEmpty { return .none }
        if Set(answer.addresses) == Set(settings.addresses) { return .this }
        return .other(answer.addresses.map(\.description).joined(separator: ", "))
    }

    /// Asks the servers for the name's records of the families this node publishes, and keeps the answer.
    private func ask() async throws(DNSMoverError) -> DNSAnswer {
        var types: [DNSType] = []
        for address in settings.addresses where !types.contains(.address(address)) { types.append(.address(address)) }
        let started = ContinuousClock.now
        do {
            let answer = try await client.addresses(of: settings.name, types: types)
            state.withLock { $0.answer = answer }
            note("QUERY", took: ContinuousClock.now - started)
            return answer
        } catch {
            let failure = DNSMoverError(message: "dns: query of \(settings.name) failed: \(error)", cause: error)
            note("QUERY", took: ContinuousClock.now - started, error: failure.message)
            throw failure
        }
    }
}
