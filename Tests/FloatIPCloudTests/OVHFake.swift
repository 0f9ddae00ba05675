import Crypto
import FloatIPCloud
import Foundation
import Synchronization

/// OVHcloud's failover IP calls as the API console and python-ovh describe them, under `/1.0`:
/// `GET /auth/time` (unsigned: the server's Unix time, here `skew` seconds off ours), and signed with
/// `X-Ovh-Application`/`X-Ovh-Consumer`/`X-Ovh-Timestamp`/`X-Ovh-Signature` (checked: the
/// signature over the full URL and body, the timestamp within 3 minutes of the server's clock):
/// `GET /ip/{block}` (`routedTo.serviceName`), `POST /ip/{block}/move` `{"to"}` (an `IpTask`,
/// refused while another move is pending), `GET /ip/{block}/task?function=&status=` (task ids),
/// `GET /ip/{block}/task/{id}` (`todo` for `pollsToFinish - 1` polls, `doing`, then `done`: the
/// move happens then). Errors `{"errorCode","httpCode","message"}`.
final class OVHFake: Sendable {
    static let applicationKey = "ovhAppKey0123456"
    static let secret = "ovh-application-secret-0123456789ab"
    static let consumer = "ovh-consumer-key-0123456789abcdef"

    struct Task {
        var block: String
        var to: String
        var status: String
        var polls: Int
    }

    struct State {
        var routed: [String: String?] = [:]
        var services: Set<String> = []
        var tasks: [Int: Task] = [:]
        var nextTask = 4_000_001
        var pollsToFinish = 3
        /// The server's clock minus ours, seconds.
        var skew = 7200
        /// The next move task ends in this status (`ovhError`, `customerError`).
        var failNext: String?
    }

    let state = Mutex(State())

    init(routed: [String: String?], services: Set<String>) {
        state.withLock {
            $0.routed = routed
            $0.services = services
        }
    }

    func service(_ block: String) -> String? { state.withLock { $0.routed[block] ?? nil } }

    func handle(_ request: FakeRequest) -> FakeResponse? {
        let parts = request.segments
        guard parts.first == "1.0" else { return nil }
        let now = Int(Date().timeIntervalSince1970) + state.withLock { $0.skew }
        if request.method == "GET", parts == ["1.0", "auth", "time"] { return .raw(200, String(now)) }
        guard parts.count >= 3, parts[1] == "ip", let block = parts[2].removingPercentEncoding, block.contains("/") else { return nil }
        if let refusal = authenticate(request, now: now) { return refusal }
        switch (request.method, parts.count) {
        case ("GET", 3): return show(block)
        case ("POST", 4) where parts[3] == "move": return move(block, request)
        case ("GET", 4) where parts[3] == "task": return pending(block, request.query)
        case ("GET", 5) where parts[3] == "task": return poll(block, parts[4])
        default: return nil
        }
    }

    private func authenticate(_ request: FakeRequest, now: Int) -> FakeResponse? {
        guard request.header("X-Ovh-Application") == Self.applicationKey else {
            return error(403, "INVALID_KEY", "Invalid application key")
        }
        guard let consumer = request.header("X-Ovh-Consumer"), let stamp = request.header("X-Ovh-Timestamp"),
            let signature = request.header("X-Ovh-Signature")
        else { return error(401, "NOT_AUTHENTICATED", "You must login first") }
        guard let time = Int(stamp), abs(time - now) <= 180 else { return error(400, "QUERY_TIME_OUT", "Query out of time") }
        guard consumer == Self.consumer else { return error(403, "INVALID_CREDENTIAL", "This credential is not valid") }
        let url = "http://\(request.host)\(request.path)" + (request.query.isEmpty ? "" : "?\(request.query)")
        let expected = OVHProvider.signature(
            secret: Self.secret, consumer: consumer, method: request.method, url: url, body: request.text, timestamp: stamp)
        guard signature == expected else { return error(400, "INVALID_SIGNATURE", "Invalid signature") }
        return nil
    }

    private func show(_ block: String) -> FakeResponse {
        state.withLock { state in
            guard let service = state.routed[block] else { return notFound(block) }
            return .json(200, [
                "ip": block, "type": "failover", "country": "fr", "description": NSNull(), "canBeTerminated": true,
                "isAdditionalIp": true, "organisationId": NSNull(),
                "routedTo": ["serviceName": service.map { $0 as Any } ?? NSNull()],
            ] as [String: Any])
        }
    }

    private func move(_ block: String, _ request: FakeRequest) -> FakeResponse {
        guard request.header("Content-Type")?.hasPrefix("application/json") == true, let to = request.json?["to"] as? String else {
            return error(400, "INVALID_ARGUMENT", "[to] Property is mandatory")
        }
        return state.withLock { state in
            guard state.routed[block] != nil else { return notFound(block) }
            guard state.services.contains(to) else { return error(400, "INVALID_ARGUMENT", "Destination server \(to) is not compatible") }
            if state.tasks.values.contains(where: { $0.block == block && ["todo", "doing", "init"].contains($0.status) }) {
                return error(409, "CONFLICT", "There is already a pending move task on this IP")
            }
            let id = state.nextTask
            state.nextTask += 1
            state.tasks[id] = Task(block: block, to: to, status: "todo", polls: 0)
            return .json(200, task(id, state.tasks[id]!))
        }
    }

    private func pending(_ block: String, _ query: String) -> FakeResponse {
        let fields = Dictionary(query.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return (kv[0], kv.count > 1 ? kv[1] : "")
        }, uniquingKeysWith: { $1 })
        guard Set(fields.keys).isSubset(of: ["function", "status"]) else { return error(400, "INVALID_ARGUMENT", "Unknown parameter") }
        return state.withLock { state in
            let ids = state.tasks.filter { id, task in
                task.block == block && fields["status"].map { $0 == task.status } ?? true
                    && fields["function"].map { $0 == "genericMoveFloatingIp" } ?? true
            }.keys.sorted()
            return .json(200, ids)
        }
    }

    private func poll(_ block: String, _ idText: String) -> FakeResponse {
        state.withLock { state in
            guard let id = Int(idText), var task = state.tasks[id], task.block == block else {
                return error(404, "NOT_FOUND", "The requested object (taskId = \(idText)) does not exist")
            }
            if ["todo", "doing"].contains(task.status) {
                task.polls += 1
                if task.polls >= state.pollsToFinish {
                    if let failure = state.failNext {
                        state.failNext = nil
                        task.status = failure
                    } else {
                        task.status = "done"
                        state.routed[block] = .some(task.to)
                    }
                } else if task.polls > 1 {
                    task.status = "doing"
                }
                state.tasks[id] = task
            }
            return .json(200, self.task(id, task))
        }
    }

    private func task(_ id: Int, _ task: Task) -> [String: Any] {
        [
            "taskId": id, "function": "genericMoveFloatingIp", "status": task.status, "action": NSNull(),
            "comment": task.status == "ovhError" ? "Move failed on the routing equipment" : NSNull() as Any,
            "startDate": "2026-12-07T09:00:00+01:00", "doneDate": task.status == "done" ? "2026-12-07T09:00:40+01:00" : NSNull() as Any,
            "lastUpdate": "2026-12-07T09:00:20+01:00", "destination": ["serviceName": task.to, "nexthop": NSNull()] as [String: Any],
        ]
    }

    private func notFound(_ block: String) -> FakeResponse {
        error(404, "OBJECT_NOT_FOUND", "The requested object (ip = \(block)) does not exist")
    }

    private func error(_ status: Int, _ code: String, _ message: String) -> FakeResponse {
        let phrase = [400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict"][status] ?? ""
        return .json(status, ["errorCode": code, "httpCode": "\(status) \(phrase)", "message": message])
    }
}
