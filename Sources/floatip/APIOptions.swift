import ArgumentParser
import FloatIPAgent
import FloatIPCore
import Foundation

/// How a command finds the agent's API: by default its Unix socket (`--socket`, else `api.socket`
/// of `--config`, else /run/floatip/api.sock), where root and members of group `floatip` need no
/// token; or TCP with `--api HOST:PORT` and the token (`--token-file`, else `api.token_file` of
/// `--config`). The token is only ever sent when `--api` is given, so a process squatting on the
/// agent's TCP port never sees it. Shared by status, maintenance and switchover.
struct APIOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The agent's YAML config file (for api.socket and api.token_file).")
    var config: String?

    @Option(help: ArgumentHelp("The agent's Unix socket (default: api.socket of --config, else /run/floatip/api.sock).",
                               valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("Use the agent's TCP API at this address instead of its socket; sends the token.",
                               valueName: "host:port"))
    var api: String?

    @Option(help: "File holding the API token, for --api (default: api.token_file of --config).")
    var tokenFile: String?

    func validate() throws {
        if let api, APIConfig.parseListen(api) == nil {
            throw ValidationError("--api \(api): write ADDRESS:PORT such as 127.0.0.1:7454 ([::1]:7454 for IPv6)")
        }
        if api != nil, socket != nil { throw ValidationError("--api and --socket exclude each other: choose one") }
        if let socket, !socket.hasPrefix("/") { throw ValidationError("--socket \(socket): must be an absolute path") }
    }

    /// The config, when `--config` names one (exits 1 with its problems if it is invalid).
    func cluster() throws -> ClusterConfig? { try config.map(loadConfig) }

    /// Where to reach the agent, and the token file when that is TCP.
    func target(_ cluster: ClusterConfig?) -> (endpoint: AgentAPIClient.Endpoint, tokenFile: String?) {
        if let api, let (address, port) = APIConfig.parseListen(api) {
            return (.tcp(APIConfig(listenAddress: address, listenPort: port).listen), tokenFile ?? cluster?.api.tokenFile)
        }
        return (.socket(socket ?? (cluster?.api ?? APIConfig()).socketPath()), nil)
    }

    /// A client for the agent; `needsToken` (over TCP only) reads the token file (exits 1 if there
    /// is none or it cannot be read).
    func client(needsToken: Bool) throws -> (AgentAPIClient, ClusterConfig?) {
        let cluster = try cluster()
        let (endpoint, tokenFile) = target(cluster)
        var token: String?
        if needsToken, case .tcp = endpoint {
            guard let tokenFile else {
                printError("this command over --api needs the API token: pass --token-file FILE, or --config FILE with "
                    + "api.token_file set (or leave out --api to use the agent's Unix socket)")
                throw ExitCode(1)
            }
            token = try readKeyFile(tokenFile, field: "api.token_file", client: true)
        }
        return (AgentAPIClient(endpoint: endpoint, token: token), cluster)
    }
}
