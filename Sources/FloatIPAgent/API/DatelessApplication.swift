import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// An API application run without Hummingbird's `Date` header cache. That cache is a service that
/// wakes every second for the life of the server, in every listener: in an idle agent, wake-ups
/// for nothing (docs/benchmarks.md). Here each response formats its own `Date` (operator requests
/// are rare). Everything else is `inner`'s: router, server, configuration; tests drive `inner`'s
/// responder through this type as through any application.
struct DatelessApplication<Inner: ApplicationProtocol>: ApplicationProtocol {
    typealias Responder = Inner.Responder
    let inner: Inner

    var responder: Responder { get async throws { try await inner.responder } }
    var server: HTTPServerBuilder { inner.server }
    var configuration: ApplicationConfiguration { inner.configuration }
    var logger: Logger { inner.logger }
    var eventLoopGroup: any EventLoopGroup { inner.eventLoopGroup }
    func onServerRunning(_ channel: any Channel) async { await inner.onServerRunning(channel) }

    /// Hummingbird's `ApplicationProtocol.run`, less the date cache service.
    func run() async throws {
        let responder = try await self.responder
        let logger = self.logger
        let configuration = self.configuration
        let serverName = configuration.serverName
        let server = try self.server.buildServer(
            configuration: ServerConfiguration(
                address: configuration.address, serverName: configuration.serverName, backlog: configuration.backlog,
                reuseAddress: configuration.reuseAddress,
                availableConnectionsDelegate: configuration.availableConnectionsDelegate),
            eventLoopGroup: eventLoopGroup, logger: logger
        ) { (request, responseWriter: consuming ResponseWriter, channel) in
            let context = Responder.Context(source: ApplicationRequestContextSource(channel: channel, logger: logger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                throw error
            } catch {
                response = Response(status: .internalServerError, body: .init())
            }
            response.headers[.date] = HTTPDate.now()
            if let serverName { response.headers[.server] = serverName }
            do {
                try await responseWriter.write(response: response.head, body: response.body)
            } catch is HTTPParserError {
                // Not the parser's error: the server would answer it with a second response.
                throw ParseErrorWhileWriting()
            }
        } onServerRunning: {
            await self.onServerRunning($0)
        }
        try await server.run()
    }
}

/// A request's body failed to parse while its response was written: the connection closes.
struct ParseErrorWhileWriting: Error {}

/// The `Date` header's IMF-fixdate (RFC 9110 5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
enum HTTPDate {
    static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
