import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

/// Every sample configuration Debian's keepalived package ships (keepalived.conf(5)'s examples, in
/// /usr/share/doc/keepalived/samples) reads without an error, with the blocks keepalived sees; each
/// with a `vrrp_instance` converts (`--native`) to a config floatip's parser accepts.
@Suite struct KeepalivedSamplesTests {
    /// The file system, for includes (no sample includes another; a missing one is an error).
    struct Disk: KeepalivedParser.Source {
        func files(matching pattern: String, relativeTo directory: String) throws -> [(path: String, text: String)] {
            let path = pattern.hasPrefix("/") ? pattern : directory + "/" + pattern
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
            return [(path, text)]
        }
    }

    static let directory = "/usr/share/doc/keepalived/samples"

    @Test func debiansSamplesParse() throws {
        guard ExternalTool.find("keepalived", for: "keepalived's sample configs", package: "keepalived") != nil else { return }
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory)
            .filter { $0.hasPrefix("keepalived.conf.") }.sorted()
        #expect(names.count >= 20, "\(names)")
        var instances = 0
        for name in names {
            let path = "\(Self.directory)/\(name)"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            do {
                let statements = try KeepalivedParser(source: Disk()).parse(text, file: path)
                #expect(!statements.isEmpty, "\(name)")
                // Top-level statements are keepalived's sections, never a stray word of a broken block.
                let sections: Set = [
                    "global_defs", "vrrp_instance", "vrrp_sync_group", "vrrp_script", "virtual_server", "virtual_server_group",
                    "static_ipaddress", "static_routes", "static_rules", "vrrp_track_file", "track_file", "@low", "@high",
                ]
                for statement in statements where !sections.contains(statement.keyword) && !statement.keyword.hasPrefix("$") {
                    Issue.record("\(statement.location): unexpected top-level `\(statement.keyword)`")
                }
                instances += statements.filter { $0.keyword == "vrrp_instance" }.count
            } catch {
                Issue.record("\(error)")
            }
        }
        #expect(instances >= 20)
        print("keepalived samples: \(names.count) files, \(instances) vrrp_instance blocks read")
    }

    /// In both modes: VRRP groups that join keepalived (the default), and floatip's own protocol (`--native`).
    @Test(arguments: [false, true])
    func debiansSamplesConvertToConfigsFloatipAccepts(native: Bool) throws {
        guard ExternalTool.find("keepalived", for: "keepalived's sample configs", package: "keepalived") != nil else { return }
        var options = KeepalivedImport.Options()
        options.native = native
        options.address = .ipv4(198, 18, 0, 1)
        options.peers = [.ipv4(198, 18, 0, 2)]
        var converted = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.directory).filter({ $0.hasPrefix("keepalived.conf.") }).sorted() {
            let path = "\(Self.directory)/\(name)"
            let statements = try KeepalivedParser(source: Disk()).parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
            guard statements.contains(where: { $0.keyword == "vrrp_instance" }) else { continue }
            let result = try KeepalivedImport(statements, file: path, options: options)
            let yaml = result.yaml(generator: "test")
            switch ConfigParser.parse(yaml: yaml, file: name) {
            case .success(let config):
                // On floatip's own protocol each sync group's instances become one group.
                let instances = statements.filter { $0.keyword == "vrrp_instance" }.compactMap(\.arguments.first)
                let merged = statements.filter { $0.keyword == "vrrp_sync_group" }.reduce(0) { sum, sync in
                    let members = Set(sync.child("group")?.block?.map(\.keyword) ?? []).filter(instances.contains).count
                    return sum + (native ? max(0, members - 1) : 0)
                }
                #expect(config.groups.count == instances.count - merged, "\(name)")
                converted += 1
            case .failure(let errors):
                Issue.record("\(name) converts to an invalid config: \(errors.problems.map(\.description))\n\(yaml)")
            }
            // Every note names a line of a real file.
            #expect(result.notes.allSatisfy { $0.location.file == path && $0.location.line > 0 }, "\(name)")
        }
        #expect(converted >= 10)
        print("keepalived samples converted (\(native ? "--native" : "VRRP groups")) and accepted by floatip's parser: \(converted)")
    }
}
