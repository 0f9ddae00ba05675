import FloatIPCore
import FloatIPTestSupport
import Foundation
import Testing

/// Every sample configuration Debian's keepalived package ships (keepalived.conf(5)'s examples, in
/// /usr/share/doc/keepalived/samples) reads without an error, with the blocks keepalived sees.
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
}
