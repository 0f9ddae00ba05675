import AsyncHTTPClient
import Foundation
import NIOCore

/// Watches: the gateway's streaming `POST /v3/watch`, one JSON object a line.
extension EtcdClient {
    /// The longest line of a watch stream read (a line carries the events of one revision).
    static let watchLineLimit = 1 << 20

    /// Watches `key` from `revision` on: calls `onEvent` for each change, in order, until it returns
    /// false (then returns), the member ends the stream (returns), or something fails (throws
    /// `EtcdError`; a watch etcd cancels, e.g. for a refused token or a compacted revision, is
    /// `refused` with etcd's reason). Cancelling the calling task ends the watch.
    ///
    /// The request carries `Grpc-Metadata-hasleader: true`, so a member that loses its leader closes
    /// the stream instead of staying silent. A member cut off in other ways can still stay silent:
    /// callers that depend on seeing changes poll as well.
    public func watch(
        _ key: String, fromRevision revision: Int64, onEvent: @Sendable (EtcdWatchEvent) async -> Bool
    ) async throws {
        let request = WatchCreateRequest(
            create_request: .init(key: EtcdBase64.encode(key), start_revision: String(revision)))
        let body = Array(try JSONEncoder().encode(request))
        let count = settings.endpoints.count
        let first = current
        var lastError: EtcdError?
        for attempt in 0..<count {
            let index = (first + attempt) % count
            let endpoint = settings.endpoints[index]
            let response: HTTPClientResponse
            do {
                response = try await openWatch(endpoint, body)
            } catch let error as EtcdError where error.triesNextEndpoint {
                lastError = error
                continue
            }
            try await readWatch(response, endpoint: endpoint, onEvent: onEvent)
            return
        }
        throw lastError ?? EtcdError.noEndpointTried(call: "watch")
    }

    /// Sends the watch request; returns once the answer's head is in (within `requestTimeout`).
    private func openWatch(_ endpoint: String, _ body: [UInt8]) async throws -> HTTPClientResponse {
        let deadline = ContinuousClock.now + settings.requestTimeout
        var request = HTTPClientRequest(url: endpoint + "/v3/watch")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Grpc-Metadata-hasleader", value: "true")
        if let credentials = settings.credentials {
            let token = try await currentToken(endpoint, credentials, deadline: deadline)
            request.headers.add(name: "Authorization", value: token)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let timeout = deadline - ContinuousClock.now
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .nanoseconds(max(1, timeout.nanoseconds)))
        } catch {
            try Task.checkCancellation()
            throw Self.transportError(error, endpoint: endpoint, call: "watch", timeout: settings.requestTimeout)
        }
        guard response.status.code == 200 else {
            let start = (try? await response.body.collect(upTo: 4096)).map { Array($0.readableBytesView) } ?? []
            let refusal = Self.refusal(status: Int(response.status.code), body: start, endpoint: endpoint, call: "watch")
            if refusal.isTokenProblem { dropToken() }
            throw refusal
        }
        return response
    }

    /// Reads the stream line by line and hands the events on.
    private func readWatch(
        _ response: HTTPClientResponse, endpoint: String, onEvent: @Sendable (EtcdWatchEvent) async -> Bool
    ) async throws {
        var pending: [UInt8] = []
        do {
            for try await chunk in response.body {
                pending.append(contentsOf: chunk.readableBytesView)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeSubrange(...newline)
                    for event in try watchEvents(line, endpoint: endpoint) {
                        guard await onEvent(event) else { return }
                    }
                }
                if pending.count > Self.watchLineLimit {
                    throw EtcdError.malformed(
                        endpoint: endpoint, call: "watch", detail: "a line over \(Self.watchLineLimit) bytes")
                }
            }
        } catch let error as EtcdError {
            throw error
        } catch {
            try Task.checkCancellation()
            throw Self.transportError(error, endpoint: endpoint, call: "watch", timeout: settings.requestTimeout)
        }
        // The last line may lack its newline.
        for event in try watchEvents(pending, endpoint: endpoint) {
            guard await onEvent(event) else { return }
        }
    }

    /// The events of one line; throws for an error line or a cancelled watch.
    private func watchEvents(_ line: [UInt8], endpoint: String) throws -> [EtcdWatchEvent] {
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }) else { return [] }
        let decoded = try Self.decode(EtcdStreamLine<WatchMessage>.self, line, endpoint: endpoint, call: "watch")
        if let error = decoded.error {
            let refusal = EtcdError.refused(
                endpoint: endpoint, call: "watch", status: error.http_code ?? 200, message: error.message ?? "",
                code: error.grpc_code)
            if refusal.isTokenProblem { dropToken() }
            throw refusal
        }
        guard let result = decoded.result else {
            throw EtcdError.malformed(endpoint: endpoint, call: "watch", detail: "a line without `result`")
        }
        if result.canceled == true {
            var reason = result.cancel_reason ?? "canceled by etcd"
            if let compacted = result.compact_revision?.value { reason += " (compacted up to revision \(compacted))" }
            let refusal = EtcdError.refused(endpoint: endpoint, call: "watch", status: 200, message: reason, code: nil)
            if refusal.isTokenProblem { dropToken() }
            throw refusal
        }
        return try (result.events ?? []).map { event in
            guard let kv = event.kv else {
                throw EtcdError.malformed(endpoint: endpoint, call: "watch", detail: "an event without `kv`")
            }
            if event.type == "DELETE" {
                guard let key = EtcdBase64.decode(kv.key) else {
                    throw EtcdError.malformed(endpoint: endpoint, call: "watch", detail: "a key is not base64")
                }
                return .delete(key: key, revision: kv.mod_revision?.value ?? 0)
            }
            return .put(try Self.keyValue(kv, endpoint: endpoint, call: "watch"))
        }
    }
}
