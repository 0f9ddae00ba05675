import FloatIPCore

/// The options of an `azure-lb` mover: where it answers a load balancer's health probe.
///
/// ```yaml
/// mover: { kind: azure-lb, port: 9100 }                  # TCP probe
/// mover: { kind: azure-lb, port: 9100, path: /healthz }  # HTTP probe (200 on /healthz)
/// ```
/// Pure: no I/O.
public struct AzureLBSettings: Sendable, Equatable {
    /// `port`: the probe's port; required.
    public var port: UInt16
    /// `bind`: the address to listen on; `0.0.0.0` (every IPv4 address) by default, `::` for IPv6 too.
    public var bind: IPAddress
    /// `path`: with it, connections are read as HTTP and a `GET`/`HEAD` of this path answers 200
    /// (any other path 404); without it, a completed TCP handshake is the answer.
    public var path: String?

    /// Reads the options into `check` (each problem names its key); nil when one is wrong.
    public static func read(_ check: inout OptionCheck) -> AzureLBSettings? {
        let before = check.problems.count
        var port: UInt16?
        if let text = check.required("port", "the TCP port the load balancer's health probe connects to") {
            if let number = UInt16(text), number > 0 {
                port = number
            } else {
                check.report("port", "`\(text)` is not a TCP port; write a whole number from 1 to 65535 (e.g. `9100`)")
            }
        }
        var bind = IPAddress("0.0.0.0")!
        if let text = check.optional("bind") {
            if let address = IPAddress(text) {
                bind = address
            } else {
                check.report("bind", "`\(text)` is not an IPv4 or IPv6 address (where the probe is answered; "
                    + "default 0.0.0.0)")
            }
        }
        let path = check.optional("path")
        if let path, !path.hasPrefix("/") || path.contains(where: { $0.isWhitespace }) {
            check.report("path", "`\(path)` is not an HTTP path; write one that starts with `/` and has no spaces "
                + "(e.g. `/healthz`), or leave `path` out for a TCP probe")
        }
        check.finish(kind: .azureLB)
        guard check.problems.count == before, let port else { return nil }
        return AzureLBSettings(port: port, bind: bind, path: path)
    }

    /// `0.0.0.0:9100`, `[::]:9100`.
    public var listenText: String { bind.isIPv4 ? "\(bind):\(port)" : "[\(bind)]:\(port)" }
}
