/// `POST /v1/maintenance`: `{"on": true}` for the whole node, `{"on": true, "group": "web"}` for one group.
public struct MaintenanceRequest: Codable, Sendable, Equatable {
    public var on: Bool
    public var group: String?

    public init(on: Bool, group: String? = nil) {
        self.on = on
        self.group = group
    }
}

/// The answer to `POST /v1/maintenance`: what is now set.
public struct MaintenanceResponse: Codable, Sendable, Equatable {
    public var on: Bool
    public var group: String?

    public init(on: Bool, group: String?) {
        self.on = on
        self.group = group
    }
}

/// `POST /v1/switchover`: `{"group": "web"}` (to the next-ranked healthy peer) or `{"group": "web", "to": "web2"}`.
public struct SwitchoverRequest: Codable, Sendable, Equatable {
    public var group: String
    public var to: String?

    public init(group: String, to: String? = nil) {
        self.group = group
        self.to = to
    }
}

/// The answer to `POST /v1/switchover`: the node the group is being handed to.
public struct SwitchoverResponse: Codable, Sendable, Equatable {
    public var target: String

    public init(target: String) { self.target = target }
}

/// Every refusal (4xx) carries one sentence a person can act on.
public struct APIErrorResponse: Codable, Sendable, Equatable {
    public var error: String

    public init(error: String) { self.error = error }
}
