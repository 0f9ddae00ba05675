import AsyncHTTPClient

extension HTTPClient {
    /// The client every provider talks through: AsyncHTTPClient's shared client's settings, except that
    /// it never follows a redirect. A 3xx answer is returned as it is (and fails the call), so an
    /// `Authorization` or `X-Auth-Token` header, or Keystone's password body, never goes to wherever
    /// a `Location` points. Lives as long as the process, as `.shared` does.
    public static let providers: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
