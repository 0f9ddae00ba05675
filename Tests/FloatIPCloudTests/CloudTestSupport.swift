@_exported import FloatIPTestSupport
import FloatIPCloud
import FloatIPCore
import Foundation
import Synchronization
import Testing

/// Lines a mover logged, collected for assertions.
typealias ReportedLines = LogCapture

/// The environment the movers read credentials from in tests.
let testTokenVariable = "FLOATIP_TEST_TOKEN"

/// A group with one address and the given cloud mover.
func cloudGroup(_ kind: MoverKind, _ options: [String: String], interface: String? = nil) throws -> GroupConfig {
    GroupConfig(
        name: "web", addresses: [try IPPrefix.parse("198.18.0.100/32").get()], interface: interface,
        mover: MoverConfig(kind: kind, options: options), priority: 100)
}

/// A cloud mover of `P` for `options`, the token in `environment`, not composed with the local mover
/// (the group names an interface only where the provider requires one). Throws on setup problems.
func makeMover<P: CloudProvider>(
    _ provider: P.Type, _ options: [String: String], environment: [String: String], lines: ReportedLines = ReportedLines(),
    interface: String? = nil
) throws -> (mover: any Mover & MoverTelemetrySource, group: GroupConfig) {
    let group = try cloudGroup(P.kind, options, interface: interface ?? (P.needsLocalAddress(options) ? "eth0" : nil))
    let mover = try CloudMovers.make(P.self, group: group, local: nil, environment: environment, logger: lines.logger)
    return (mover, group)
}

/// Runs `body` and returns the `ProviderError` it threw; records a test failure if it threw nothing or something else.
func providerError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> ProviderError? {
    do {
        try await body()
        Issue.record("expected a ProviderError, but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as ProviderError {
        return error
    } catch {
        Issue.record("expected a ProviderError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Seconds since `start` on the continuous clock.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let (whole, atto) = (ContinuousClock.now - start).components
    return Double(whole) + Double(atto) / 1e18
}
