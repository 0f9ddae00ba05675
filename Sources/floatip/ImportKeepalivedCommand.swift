import ArgumentParser
import FloatIPCore
import Foundation
import Glibc

/// `floatip import keepalived FILE [--native]`: one node's keepalived.conf as that node's floatip config.
struct ImportKeepalivedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keepalived",
        abstract: "Convert one node's keepalived.conf to that node's floatip config.",
        discussion: """
            Reads FILE as keepalived does (comments, quotes, blocks, include with globs) and writes \
            one floatip config for the node: vrrp_script → checks (weights as keepalived applies \
            them), vrrp_instance → groups, unicast_src_ip / unicast_peer → the node and its peers, \
            notify_* → hooks, garp_* → announce, use_vmac → virtual_mac. Everything it does not \
            carry over becomes a comment naming FILE:LINE and why, and a line on standard error.

            By default each vrrp_instance becomes a `protocol: vrrp` group with the same \
            virtual_router_id, version, advert_int and auth_pass, so the node joins the running \
            keepalived cluster: replace keepalived one node at a time (docs/vrrp.md). A multicast \
            config names no address: give --address (this node's address on the interface).

            --native converts to floatip's own protocol instead: the last step of a migration, once \
            every node runs floatip. Convert every node's file with the same --cluster; nodes are \
            named by their addresses, so the files agree. A multicast config names no addresses: \
            give --address and one --peer per other node.

            With --out DIR: writes DIR/floatip.yaml, DIR/vrrp-GROUP.pass for each auth_pass (mode \
            0600) and, if missing, DIR/secret (32 random bytes, mode 0600; copy the same secret to \
            every node). Without it: the config on standard output (the password files are named \
            under /etc/floatip; write them yourself).
            """
    )

    @Argument(help: "The keepalived.conf to convert.") var file: String
    @Flag(help: "Convert to floatip's own protocol (the last step of a migration) instead of VRRP groups.") var native = false
    @Option(help: "The directory to write floatip.yaml (and a new secret) into.") var out: String?
    @Option(help: "The cluster's name, the same for every node.") var cluster = "keepalived"
    @Option(help: "This node's own address, when the config has no unicast_src_ip.") var address: String?
    @Option(help: "Another node's address, when the config has no unicast_peer (repeat for each).") var peer: [String] = []

    func run() throws {
        var options = KeepalivedImport.Options()
        options.cluster = cluster
        options.native = native
        if let address {
            guard let parsed = IPAddress(address) else { throw ValidationError("--address \(address) is not an IP address") }
            options.address = parsed
        }
        options.peers = try peer.map { text in
            guard let parsed = IPAddress(text) else { throw ValidationError("--peer \(text) is not an IP address") }
            return parsed
        }
        let outDirectory = out.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
        if let outDirectory {
            options.secretFile = outDirectory + "/secret"
            options.directory = outDirectory
        }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            printError("\(file): cannot read it: \(error.localizedDescription)")
            throw ExitCode(1)
        }
        let converted: KeepalivedImport
        do {
            let statements = try KeepalivedParser(source: DiskFiles()).parse(text, file: file)
            converted = try KeepalivedImport(statements, file: file, options: options)
        } catch let error as KeepalivedParseError {
            printError(error.description)
            throw ExitCode(1)
        } catch let error as KeepalivedImport.Failure {
            printError(error.description)
            throw ExitCode(1)
        }
        let yaml = converted.yaml(generator: "floatip import keepalived" + (native ? " --native" : ""))
        for note in converted.notes { printError("note: \(note)") }
        guard let outDirectory else {
            print(yaml, terminator: "")
            return
        }
        try FileManager.default.createDirectory(atPath: outDirectory, withIntermediateDirectories: true)
        let secret = outDirectory + "/secret"
        if !FileManager.default.fileExists(atPath: secret) {
            var random = SystemRandomNumberGenerator()
            let hex = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
            guard FileManager.default.createFile(atPath: secret, contents: Data((hex + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                printError("\(secret): cannot write it")
                throw ExitCode(1)
            }
        }
        for file in converted.passwordFiles {
            guard FileManager.default.createFile(
                atPath: file.path, contents: Data((file.password + "\n").utf8), attributes: [.posixPermissions: 0o600])
            else {
                printError("\(file.path): cannot write it")
                throw ExitCode(1)
            }
        }
        try yaml.write(toFile: outDirectory + "/floatip.yaml", atomically: true, encoding: .utf8)
        printError("wrote \(outDirectory)/floatip.yaml (\(converted.notes.count) notes); check it: floatip check-config \(outDirectory)/floatip.yaml")
    }
}

/// keepalived's `include`: a glob (glob(3)), relative to the including file's directory.
struct DiskFiles: KeepalivedParser.Source {
    func files(matching pattern: String, relativeTo directory: String) throws -> [(path: String, text: String)] {
        let full = pattern.hasPrefix("/") ? pattern : directory + "/" + pattern
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(full, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return try paths.sorted().map { ($0, try String(contentsOfFile: $0, encoding: .utf8)) }
    }
}
