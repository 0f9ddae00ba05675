import ServiceLifecycle

/// The cloud movers' reconcile loop as a service (see `MoverReconciler`). It is the last service
/// of the group, so it stops first: it never claims at a provider while the agent hands over.
public struct ReconcilerService: Service {
    let reconciler: MoverReconciler

    public init(reconciler: MoverReconciler) { self.reconciler = reconciler }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await reconciler.run() }
        // With no cloud mover it returns at once; a service that ends early would stop the group.
        try? await gracefulShutdown()
    }
}
