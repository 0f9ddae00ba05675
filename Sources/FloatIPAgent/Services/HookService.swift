import ServiceLifecycle

/// The hooks as a service: runs queued hooks while the agent runs; on shutdown lets the hooks of
/// the last role changes (the handover's) finish, for at most `drainBound`, then cuts them off.
public struct HookService: Service {
    let hooks: HookRunner
    let drainBound: Duration

    public init(hooks: HookRunner, drainBound: Duration) {
        self.hooks = hooks
        self.drainBound = drainBound
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await hooks.run() }
            try? await gracefulShutdown()
            hooks.finish()
            let bound = drainBound
            tasks.addTask { try? await Task.sleep(for: bound) }
            // Whichever ends first: the drained queues, or the bound (which cuts the hooks off).
            _ = await tasks.next()
            tasks.cancelAll()
        }
    }
}
