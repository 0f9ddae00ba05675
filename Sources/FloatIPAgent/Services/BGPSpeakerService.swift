import FloatIPLinux
import ServiceLifecycle

/// The BGP speaker's sessions as a service: they run from the start; on the way out (after the
/// agent has handed over and withdrawn) every session ends with Cease / Administrative Shutdown,
/// so the routers drop whatever is left at once instead of after the hold time.
public struct BGPSpeakerService: Service {
    let speaker: BGPSpeaker

    public init(speaker: BGPSpeaker) { self.speaker = speaker }

    public func run() async throws {
        try? await gracefulShutdown()
        await speaker.stop(message: "floatip agent stopping")
    }
}
