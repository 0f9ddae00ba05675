import FloatIPTestSupport
import Foundation
import Synchronization

/// EC2's route-table actions as the EC2 API reference documents them (query API, `POST /`,
/// SigV4 checked by `AWSSignatureCheck`), for the failure matrix:
///
/// - `DescribeRouteTables` with `RouteTableId.N` and the filter `route.destination-cidr-block`:
///   the listed tables that have such a route (`routeTableSet/item/routeSet/item` with
///   `destinationCidrBlock`, `networkInterfaceId`, `state`, `origin`); a listed table that does not
///   exist is 400 `InvalidRouteTableID.NotFound`;
/// - `ReplaceRoute` (400 `InvalidParameterValue … Use CreateRoute instead` without the route) and
///   `CreateRoute` (400 `RouteAlreadyExists` with it), to a `NetworkInterfaceId`.
///
/// Any other action, or a request it cannot authenticate, is not recognised or refused.
final class AWSRouteTableFake: Sendable {
    static let keyID = "AKIAMATRIXEXAMPLE"
    static let secret = "matrix-secret-key-0123456789abcdefghij"
    /// Table → destination → interface.
    let routes: Mutex<[String: [String: String]]>

    init(routes: [String: [String: String]]) { self.routes = Mutex(routes) }

    func target(_ table: String, _ destination: String) -> String? { routes.withLock { $0[table]?[destination] } }

    func handle(_ request: FakeRequest) -> FakeResponse? {
        guard request.method == "POST", request.path == "/" else { return nil }
        let form = request.form
        guard ["DescribeRouteTables", "ReplaceRoute", "CreateRoute"].contains(form["Action"] ?? "") else { return nil }
        let key = AWSMetadataFake.Keys(accessKeyID: Self.keyID, secretKey: Self.secret, token: nil, expiration: .distantFuture)
        guard AWSSignatureCheck.signer(of: request, region: "us-east-1", keys: [key]) != nil else { return AWSSignatureCheck.refusal }
        switch form["Action"] {
        case "DescribeRouteTables":
            let tables = Array((1...).lazy.map { form["RouteTableId.\($0)"] }.prefix { $0 != nil }.compactMap { $0 })
            let wanted = Set((1...).lazy.map { form["Filter.1.Value.\($0)"] }.prefix { $0 != nil }.compactMap { $0 })
            guard form["Filter.1.Name"] == "route.destination-cidr-block" else { return nil }
            let known = routes.withLock { $0 }
            if let missing = tables.first(where: { known[$0] == nil }) {
                return Self.error("InvalidRouteTableID.NotFound", "The routeTable ID '\(missing)' does not exist")
            }
            let items = tables.compactMap { table -> String? in
                let matching = (known[table] ?? [:]).filter { wanted.contains($0.key) }.sorted { $0.key < $1.key }
                guard !matching.isEmpty else { return nil }
                let routeItems = matching.map {
                    "<item><destinationCidrBlock>\($0.key)</destinationCidrBlock><networkInterfaceId>\($0.value)"
                        + "</networkInterfaceId><state>active</state><origin>CreateRoute</origin></item>"
                }.joined()
                return "<item><routeTableId>\(table)</routeTableId><vpcId>vpc-1</vpcId><routeSet>\(routeItems)</routeSet></item>"
            }.joined()
            return .raw(200, "<DescribeRouteTablesResponse><requestId>r</requestId><routeTableSet>\(items)</routeTableSet>"
                + "</DescribeRouteTablesResponse>", contentType: "text/xml")
        default:
            guard let table = form["RouteTableId"], let destination = form["DestinationCidrBlock"],
                let interface = form["NetworkInterfaceId"], let action = form["Action"]
            else { return Self.error("MissingParameter", "The request must contain RouteTableId, DestinationCidrBlock and a target") }
            let refusal: FakeResponse? = routes.withLock { routes in
                guard routes[table] != nil else {
                    return Self.error("InvalidRouteTableID.NotFound", "The routeTable ID '\(table)' does not exist")
                }
                let exists = routes[table]?[destination] != nil
                if action == "ReplaceRoute", !exists {
                    return Self.error("InvalidParameterValue", "There is no route defined for '\(destination)' in the route "
                        + "table. Use CreateRoute instead.")
                }
                if action == "CreateRoute", exists {
                    return Self.error("RouteAlreadyExists", "The route identified by \(destination) already exists.")
                }
                routes[table]?[destination] = interface
                return nil
            }
            return refusal ?? .raw(200, "<\(action)Response><requestId>r</requestId><return>true</return></\(action)Response>",
                                   contentType: "text/xml")
        }
    }

    static func error(_ code: String, _ message: String) -> FakeResponse {
        .raw(400, "<Response><Errors><Error><Code>\(code)</Code><Message>\(message)</Message></Error></Errors>"
            + "<RequestID>r</RequestID></Response>", contentType: "text/xml")
    }
}
