import ArgumentParser
import FloatIPAssembly

/// Reads the cluster's shared secret (`KeyFile`'s rule, the one `check-config` applies), or exits 1
/// with a clear message.
func readSecret(_ path: String) throws -> [UInt8] {
    Array(try readKeyFile(path, field: "secret_file").utf8)
}

/// Reads a key file (`secret_file`, `api.token_file`) by `KeyFile`'s rule (only its mode when
/// `client`: the CLI runs as an operator, whose uid is not the agent's). Exits 1 with a message
/// naming `field` otherwise.
func readKeyFile(_ path: String, field: String, client: Bool = false) throws -> String {
    do {
        return try KeyFile.read(path, field: field, client: client)
    } catch {
        printError(error.description)
        throw ExitCode(1)
    }
}
