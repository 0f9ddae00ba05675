import AsyncHTTPClient
import FloatIPCore
import NIOCore

/// POSTs a hook's JSON body to its webhook with AsyncHTTPClient's shared client, within a timeout.
/// Reports name the webhook only as `scheme://host[:port]/…` (`RedactedURL`): its path, query and
/// user information often hold a token.
enum WebhookPost {
    /// Sends `body` to `url`; a report that says what came back (a 2xx status succeeds).
    static func send(url: String, body: [UInt8], timeout: Duration, group: String, role: String) async -> HookReport {
        let started = ContinuousClock.now
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "floatip")
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            // Read (and drop) at most 64 KiB of the answer so the connection can be reused or closed cleanly.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            return HookReport(
                hook: "webhook", group: group, role: role, succeeded: (200..<300).contains(status),
                outcome: "HTTP \(status)", took: ContinuousClock.now - started)
        } catch {
            return HookReport(
                hook: "webhook", group: group, role: role, succeeded: false,
                outcome: RedactedURL.scrub("POST \(url) failed: \(error)", of: url),
                took: ContinuousClock.now - started)
        }
    }
}
