import FloatIPCore

/// The route-table form of `mover: aws` (`overlay: true`, `route_tables`, and `network_interface_id`
/// or else the instance's primary interface from the metadata service): what Pacemaker's
/// aws-vpc-move-ip does for an "overlay IP" outside the VPC's ranges. Each of the group's
/// addresses, as a /32, is routed to this server's interface in every listed table:
/// `ReplaceRoute`, or `CreateRoute` where the table has no such route. The holder is the target
/// of those routes in `DescribeRouteTables`: this interface only when every table routes every
/// address here. Release leaves the routes (there is no detach: the next claim replaces them).
/// The instance must have its source/destination check off to receive traffic for an address
/// that is not its own.
extension AWSProvider {
    /// The route-table form from its options, or nil after reporting what is wrong.
    static func routeTableForm(
        _ check: inout OptionCheck, tables: String?, overlay: Bool, allocation: String?, instance: String?,
        interface: String?, privateIP: String?
    ) -> Form? {
        guard overlay else {
            check.report("overlay", "`route_tables` routes overlay addresses: set `overlay: true` with it")
            return nil
        }
        let ids = (tables ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !ids.isEmpty else {
            check.report("route_tables", "missing: `overlay: true` needs `route_tables`, the ids of the route tables "
                + "that route the addresses (e.g. `[rtb-0123456789abcdef0]`)")
            return nil
        }
        if let bad = ids.first(where: { !$0.hasPrefix("rtb-") }) {
            check.report("route_tables", "`\(bad)` is not a route table id (`rtb-…`)")
            return nil
        }
        guard Set(ids).count == ids.count else {
            check.report("route_tables", "a route table is listed twice")
            return nil
        }
        for (key, value) in [("allocation_id", allocation), ("instance_id", instance), ("private_ip", privateIP)] where value != nil {
            check.report(key, "`\(key)` does not go with `overlay: true`: the routes point at `network_interface_id`, "
                + "and the group's addresses are the destinations")
            return nil
        }
        if let interface, !interface.hasPrefix("eni-") {
            check.report("network_interface_id", "`\(interface)` is not a network interface id (`eni-…`)")
            return nil
        }
        if check.addresses.contains(where: { !$0.address.isIPv4 }) {
            check.report("overlay", "route tables are supported for IPv4 addresses only; this group has an IPv6 address")
            return nil
        }
        return .routeTables(tables: ids, destinations: check.addresses.map { "\($0.address)/32" })
    }

    /// One (table, destination) route as `DescribeRouteTables` shows it: its target, nil when the
    /// table has no route for the destination.
    struct RouteEntry: Equatable {
        var table: String
        var destination: String
        var target: String?
    }

    func readRoutes(tables: [String], destinations: [String], deadline: ContinuousClock.Instant) async throws -> ProviderState {
        var parameters = tables.enumerated().map { ("RouteTableId.\($0.offset + 1)", $0.element) }
        parameters.append(("Filter.1.Name", "route.destination-cidr-block"))
        parameters += destinations.enumerated().map { ("Filter.1.Value.\($0.offset + 1)", $0.element) }
        var ours = settings.networkInterfaceID ?? ""
        if ours.isEmpty { ours = try await metadata.primaryInterface(deadline: deadline) }
        let answer = try await query(deadline: deadline).call("DescribeRouteTables", parameters, deadline: deadline)
        let entries = try Self.routes(in: answer, tables: tables, destinations: destinations, http: context.http)
        // The holder: this interface when every route points here; else the first other target.
        let holder = entries.allSatisfy { $0.target == ours } ? ours : entries.compactMap(\.target).first { $0 != ours }
        return ProviderState(holder: holder, fence: Self.plan(entries, target: ours))
    }

    /// The routes of `destinations` in `tables`, from a `DescribeRouteTables` answer. A table the
    /// answer lacks is an error naming it (the filter leaves out tables without such a route, so
    /// those count as missing only when the table exists: the caller's filter lists them).
    static func routes(in answer: XMLAnswer, tables: [String], destinations: [String], http: ProviderHTTP) throws -> [RouteEntry] {
        var found: [String: XMLAnswer] = [:]
        for item in answer.first("routeTableSet")?.children("item") ?? [] {
            guard let id = item.value("routeTableId") else {
                throw http.malformed("POST / DescribeRouteTables", status: 200, "a route table without `routeTableId`")
            }
            found[id] = item
        }
        var entries: [RouteEntry] = []
        for table in tables {
            let routes = found[table]?.child("routeSet")?.children("item") ?? []
            for destination in destinations {
                let route = routes.first { $0.value("destinationCidrBlock") == destination }
                let target = route.flatMap {
                    $0.value("networkInterfaceId") ?? $0.value("instanceId") ?? $0.value("gatewayId") ?? "(another target)"
                }
                entries.append(RouteEntry(table: table, destination: destination, target: target))
            }
        }
        return entries
    }

    /// What the claim must do, carried in `ProviderState.fence`: `create` or `replace` for each
    /// route not already pointing here, as `ACTION TABLE DESTINATION` lines.
    static func plan(_ entries: [RouteEntry], target: String) -> String {
        entries.filter { $0.target != target }
            .map { "\($0.target == nil ? "create" : "replace") \($0.table) \($0.destination)" }
            .joined(separator: "\n")
    }

    /// Routes every destination to this interface in every table, as the read planned it. A route
    /// that someone else created or deleted since the read turns one call into the other.
    func assignRoutes(over state: ProviderState, deadline: ContinuousClock.Instant) async throws {
        let query = try await query(deadline: deadline)
        for line in (state.fence ?? "").split(separator: "\n") {
            let words = line.split(separator: " ").map(String.init)
            guard words.count == 3 else { continue }
            let parameters = [("RouteTableId", words[1]), ("DestinationCidrBlock", words[2]), ("NetworkInterfaceId", target)]
            let first = words[0] == "create" ? "CreateRoute" : "ReplaceRoute"
            do {
                _ = try await query.call(first, parameters, deadline: deadline)
            } catch let error as ProviderError where Self.changedFirst(error, by: first) {
                let other = first == "CreateRoute" ? "ReplaceRoute" : "CreateRoute"
                _ = try await query.call(other, parameters, deadline: deadline)
            }
        }
    }

    /// Whether `action` failed because the route changed since the read: created by someone else
    /// (`RouteAlreadyExists`) or deleted (`ReplaceRoute`'s "no route … Use CreateRoute instead").
    static func changedFirst(_ error: ProviderError, by action: String) -> Bool {
        guard error.status == 400 else { return false }
        if action == "CreateRoute" { return error.message.hasPrefix("RouteAlreadyExists") }
        return error.message.hasPrefix("InvalidRoute.NotFound")
            || (error.message.hasPrefix("InvalidParameterValue") && error.message.contains("CreateRoute"))
    }
}
