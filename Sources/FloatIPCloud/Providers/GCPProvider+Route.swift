import Foundation

/// Route mode (what Pacemaker's gcp-vpc-move-route does): a route `destination` → this instance
/// (`nextHopInstance`). Routes cannot be changed in place, so a claim deletes the route that
/// points elsewhere and inserts it again pointing here, each a global operation polled until `DONE`.
/// The insert is the fence: if a peer inserted it first, Compute Engine answers 409 and the claim
/// fails as a conflict (the engine tries again with a fresh read).
extension GCPProvider {
    private func routeURL(_ route: Route) -> String { "\(projectURL)/global/routes/\(route.name)" }

    /// The holder: the instance the route's `nextHopInstance` names; nobody when there is no route.
    func readRoute(_ route: Route, deadline: ContinuousClock.Instant) async throws -> ProviderState {
        let reply = try await compute("GET", routeURL(route), body: nil, deadline: deadline, accept: [404])
        if reply.response.status == 404 { return ProviderState(holder: nil) }
        let answer = try JSONAnswer.parse(reply.response, call: reply.call, http: context.http)
        guard let hop = answer["nextHopInstance"]?.string, let name = hop.split(separator: "/").last else {
            // A route with another kind of next hop (a gateway, an IP) is nobody's: the claim replaces it.
            return ProviderState(holder: nil, fence: "exists")
        }
        return ProviderState(holder: String(name), fence: "exists")
    }

    func replaceRoute(_ route: Route, over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        if state.fence != nil { try await deleteRoute(route, deadline: deadline) }
        let body: [String: Any] = [
            "name": route.name, "network": "projects/\(settings.project)/global/networks/\(route.network)",
            "destRange": settings.aliasRange, "priority": route.priority,
            "nextHopInstance": "projects/\(settings.project)/zones/\(settings.zone)/instances/\(settings.instance)",
            "description": "floatip: \(settings.aliasRange) to the group's holder",
        ]
        let reply = try await compute("POST", "\(projectURL)/global/routes", body: body, deadline: deadline, accept: [409])
        if reply.response.status == 409 {
            throw ProviderError(
                provider: Self.name, call: reply.call, status: 409,
                message: "someone else inserted route \(route.name) first (" + (Self.errorMessage(reply.response) ?? "409")
                    + "); not moved", kind: .conflict)
        }
        try await wait(for: try JSONAnswer.parse(reply.response, call: reply.call, http: context.http), call: reply.call, deadline: deadline)
    }

    /// Deletes the route (gone already is fine) and waits for the operation.
    func deleteRoute(_ route: Route, deadline: ContinuousClock.Instant) async throws {
        let reply = try await compute("DELETE", routeURL(route), body: nil, deadline: deadline, accept: [404])
        if reply.response.status == 404 { return }
        try await wait(for: try JSONAnswer.parse(reply.response, call: reply.call, http: context.http), call: reply.call, deadline: deadline)
    }
}
