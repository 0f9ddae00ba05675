/// Why the `dns` mover could not do what it was asked: names the operation, the record and zone,
/// each server's answer, and what to check. Never contains the key's secret.
public struct DNSMoverError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The client error behind it, when a server was asked.
    public var cause: DNSClientError?

    public var description: String { message }

    init(message: String, cause: DNSClientError? = nil) {
        self.message = message
        self.cause = cause
    }

    /// An update of `name` in `zone` that failed, with a hint for the answers operators meet.
    static func update(_ what: String, settings: DNSMoverSettings, keyName: String?, _ error: DNSClientError) -> Self {
        var hints: [String] = []
        for failure in error.failures {
            guard case .rcode(let rcode, let tsigError) = failure.reason else { continue }
            switch (rcode, tsigError) {
            case (_, .badSig?):
                hints.append("BADSIG: the server rejects our signature; the secret in key_file differs from the "
                    + "server's key \(keyName ?? "")")
            case (_, .badKey?):
                hints.append("BADKEY: the server has no key named \(keyName ?? "?") with this algorithm")
            case (_, .badTime?):
                hints.append("BADTIME: this machine's clock and the server's differ by more than 5 minutes")
            case (.refused, _):
                hints.append("REFUSED: the key \(keyName ?? "(none)") may not update \(settings.name) in zone "
                    + "\(settings.zone); check the zone's update-policy (or allow-update)")
            case (.notAuth, nil):
                hints.append("NOTAUTH: the server is not authoritative for zone \(settings.zone)")
            case (.notZone, _):
                hints.append("NOTZONE: \(settings.name) is not in zone \(settings.zone) on this server")
            default:
                continue
            }
        }
        let unique = hints.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let hint = unique.isEmpty ? "" : " — " + unique.joined(separator: "; ")
        return DNSMoverError(
            message: "dns: \(what) \(settings.name) in zone \(settings.zone) failed: \(error)\(hint)", cause: error)
    }
}
