import ArgumentParser
import FloatIPAgent
import FloatIPAssembly
import FloatIPCore
import FloatIPLinux
import Synchronization

/// `floatip witness`: the tiny responder a third machine runs so that a two-node pair can tell which of its
/// nodes is cut off (docs/pairs.md).
struct WitnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Answer the nodes' tracking probes, from a third machine (two-node pairs without etcd).",
        discussion: """
            Nodes list this machine under `track: { targets: ["witness ADDRESS"] }`. A node that \
            reaches no tracked target does not claim and releases what it holds, so of two nodes \
            cut off from each other only the one that still reaches the witness holds. The witness \
            holds no floating addresses and sends nothing on its own: it answers each probe \
            authenticated with the cluster's key (HMAC-SHA256, a fresh nonce per probe) with one \
            answer of the same size, and drops everything else. Give it the cluster's name and \
            secret (`--cluster` and `--secret-file`), or a node's config file (`--config`). \
            Runs until SIGINT or SIGTERM.
            """
    )

    @Option(help: "Where to listen: ADDRESS or ADDRESS:PORT ([v6]:PORT); the port defaults to 7455.")
    var listen: String = "0.0.0.0:7455"
    @Option(name: .shortAndLong, help: "A node's YAML config file: the witness takes its cluster and secret_file.")
    var config: String?
    @Option(help: "The cluster's name (as `cluster:` in the nodes' configs).") var cluster: String?
    @Option(help: "The file holding the cluster's shared secret (as `secret_file:`).") var secretFile: String?

    func validate() throws {
        if config == nil && (cluster == nil || secretFile == nil) {
            throw ValidationError("give --config FILE, or both --cluster NAME and --secret-file FILE")
        }
        if config != nil && (cluster != nil || secretFile != nil) {
            throw ValidationError("--config already names the cluster and its secret_file; drop --cluster and --secret-file")
        }
        if let cluster, !WireName.isValid(cluster) {
            throw ValidationError("--cluster `\(cluster)` is not a valid name (1 to 63 letters, digits, `.`, `_` or `-`)")
        }
        if Self.listenAddress(listen) == nil {
            throw ValidationError("--listen `\(listen)` is not an address with an optional port; write e.g. "
                + "`198.18.0.9`, `198.18.0.9:7455` or `[2001:2::9]:7455`")
        }
    }

    /// `ADDRESS`, `ADDRESS:PORT` or `[IPv6]:PORT`; the port defaults to `TrackConfig.defaultWitnessPort`.
    static func listenAddress(_ text: String) -> (address: IPAddress, port: UInt16)? {
        if let address = IPAddress(text) { return (address, TrackConfig.defaultWitnessPort) }
        return APIConfig.parseListen(text)
    }

    func run() async throws {
        // The witness holds the cluster secret too: no core file.
        try? CoreDumps.disable()
        let signals = TerminationSignal.install()
        let (clusterName, secretPath): (String, String)
        if let config {
            let node = try loadConfig(config)
            (clusterName, secretPath) = (node.cluster, node.secretFile)
        } else {
            (clusterName, secretPath) = (cluster ?? "", secretFile ?? "")
        }
        let secret = try readSecret(secretPath)
        guard let (address, port) = Self.listenAddress(listen) else { throw ExitCode(64) }
        let codec = WitnessCodec(secret: secret, cluster: clusterName)
        let log = AgentLog(node: "witness", format: .text)
        // One stream of what can happen: a signal, or the socket closing by itself (NIO closes a datagram
        // channel on some send errors, such as the link going down); then it binds again every second.
        let (events, sink) = AsyncStream.makeStream(of: String?.self)
        let signalled = Atomic(false)
        let stopper = Task {
            let signal = await signals.wait()
            signalled.store(true, ordering: .relaxed)
            sink.yield(signal)
        }
        defer { stopper.cancel() }
        func watch(_ responder: WitnessResponder) {
            Task {
                await responder.closed()
                sink.yield(nil)
            }
        }
        var responder: WitnessResponder
        do {
            responder = try await WitnessResponder.bind(address: address, port: port, codec: codec, logger: log.part("witness"))
        } catch {
            printError("cannot listen on \(listen): \(error)")
            throw ExitCode(1)
        }
        watch(responder)
        log.note("witness for cluster \(clusterName) listening on \(listen) (UDP)")
        for await event in events {
            if let signal = event {
                log.note("\(signal): stopping")
                await responder.close()
                break
            }
            log.note("the socket closed by itself; listening again in 1 s")
            var again: WitnessResponder?
            while again == nil, !signalled.load(ordering: .relaxed) {
                try? await Task.sleep(for: .seconds(1))
                again = try? await WitnessResponder.bind(address: address, port: port, codec: codec, logger: log.part("witness"))
            }
            if let again {
                responder = again
                watch(again)
            }
        }
        let counters = responder.counters()
        log.note("stopped: answered \(counters.answered) probe(s) from \(counters.nodes.count) node(s) since the last "
            + "bind; dropped \(counters.rejected.values.reduce(0, +))")
    }
}
