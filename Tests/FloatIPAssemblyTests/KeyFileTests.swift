import FloatIPAssembly
import Testing

/// `KeyFile`, the one rule for the secret and the token, as the agent and the CLI read them.
@Suite struct KeyFileTests {
    @Test("the key is the file's text trimmed, at least 16 bytes of it")
    func trimmedAndLongEnough() throws {
        let workspace = try Workspace(secret: "  0123456789abcdef \n")
        defer { workspace.remove() }
        #expect(try KeyFile.read(workspace.path("secret"), field: "secret_file") == "0123456789abcdef")
        let short = try workspace.write("short", " 0123456789abcde\n")
        #expect {
            _ = try KeyFile.read(short, field: "api.token_file")
        } throws: { error in
            "\(error)" == "api.token_file \(short): holds 15 bytes; at least 16 are needed"
        }
    }

    @Test("a file others can read is refused, also by the CLI; a missing one is named")
    func refusedAndMissing() throws {
        let workspace = try Workspace(mode: 0o644)
        defer { workspace.remove() }
        let secret = workspace.path("secret")
        for client in [false, true] {
            #expect {
                _ = try KeyFile.read(secret, field: "secret_file", client: client)
            } throws: { error in
                "\(error)" == "secret_file: \(secret) can be read or written by others (mode 0644); run `chmod 600 \(secret)`"
            }
        }
        let missing = workspace.path("missing")
        #expect {
            _ = try KeyFile.read(missing, field: "secret_file")
        } throws: { error in
            "\(error)".hasPrefix("secret_file") && "\(error)".contains(missing)
        }
    }
}
