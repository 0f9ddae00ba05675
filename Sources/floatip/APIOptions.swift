import ArgumentParser
import FloatIPCore
import Foundation

/// How a command finds the agent's API: `--config FILE` (its `api.listen` and `api.token_file`),
/// or `--api HOST:PORT` with `--token-file`. Shared by status, maintenance and switchover.
struct APIOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The agent's YAML config file (for api.listen and api.token_file).")
    var config: String?

    @Option(help: ArgumentHelp("The agent's API, when not read from --config.", valueName: "host:port"))
    var api: String?

    @Option(help: "File holding the API token (default: api.token_file of --config).")
    var tokenFile: String?

    func validate() throws {
        if let api, APIConfig.parseListen(api) == nil {
            throw ValidationError("--api \(api): write ADDRESS:PORT such as 127.0.0.1:7454 ([::1]:7454 for IPv6)")
        }
    }

    /// The config, when `--config` names one (exits 1 with its problems if it is invalid).
    func cluster() throws -> ClusterConfig? { try config.map(loadConfig) }

    /// Where to reach the agent and with which token file.
    func target(_ cluster: ClusterConfig?) -> (listen: String, tokenFile: String?) {
        let listen = api.flatMap { APIConfig.parseListen($0) }.map { APIConfig(listenAddress: $0.address, listenPort: $0.port).listen }
            ?? cluster?.api.listen ?? APIConfig().listen
        return (listen, tokenFile ?? cluster?.api.tokenFile)
    }

    /// A client for the agent; `needsToken` reads the token file (exits 1 if there is none or it cannot be read).
    func client(needsToken: Bool) throws -> (AgentAPIClient, ClusterConfig?) {
        let cluster = try cluster()
        let (listen, tokenFile) = target(cluster)
        var token: String?
        if needsToken {
            guard let tokenFile else {
                printError("this command needs the API token: pass --token-file FILE, or --config FILE with api.token_file set")
                throw ExitCode(1)
            }
            token = try readKeyFile(tokenFile, field: "api.token_file", client: true)
        }
        return (AgentAPIClient(listen: listen, token: token), cluster)
    }
}
