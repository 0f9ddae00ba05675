import FloatIPCore

/// A check that cannot be made into a probe (the config parser rules these out; a `CheckConfig`
/// built by hand may not).
public enum CheckSetupError: Error, Sendable, CustomStringConvertible {
    case badTarget(CheckConfig)
    /// A `witness` track target, but no cluster key to speak to it with (`CheckContext.witness`).
    case noWitnessKey(CheckConfig)

    public var description: String {
        switch self {
        case .badTarget(let check):
            "check \(check.name): `\(check.target)` is not a target for a \(check.kind.rawValue) check"
        case .noWitnessKey(let check):
            "check \(check.name): a witness target needs the cluster's key (secret_file) to probe with"
        }
    }
}
