import FloatIPCore
import Testing

/// Every keepalived.conf of `KeepalivedCorpus`, converted in both modes (VRRP groups that join
/// keepalived, and floatip's own protocol): floatip's parser accepts the result, and each group runs
/// what keepalived runs for its instance (priority, checks, addresses, virtual router, hooks).
@Suite struct KeepalivedCorpusTests {
    static let file = "/etc/keepalived/keepalived.conf"

    /// Files by absolute path; `*` and `?` match within one path component, as glob(3) does.
    struct Files: KeepalivedParser.Source {
        var files: [String: String]

        func files(matching pattern: String, relativeTo directory: String) throws -> [(path: String, text: String)] {
            let wanted = Self.components(pattern.hasPrefix("/") ? pattern : directory + "/" + pattern)
            return files.keys.filter { path in
                let have = Self.components(path)
                return have.count == wanted.count && zip(have, wanted).allSatisfy { Self.matches(Substring($0), Substring($1)) }
            }.sorted().map { ($0, files[$0] ?? "") }
        }

        /// A path's components, `.` and `..` resolved.
        static func components(_ path: String) -> [String] {
            var result: [String] = []
            for part in path.split(separator: "/") where part != "." {
                if part == ".." { _ = result.popLast() } else { result.append(String(part)) }
            }
            return result
        }

        static func matches(_ name: Substring, _ pattern: Substring) -> Bool {
            guard let first = pattern.first else { return name.isEmpty }
            switch first {
            case "*": return matches(name, pattern.dropFirst()) || (!name.isEmpty && matches(name.dropFirst(), pattern))
            case "?": return !name.isEmpty && matches(name.dropFirst(), pattern.dropFirst())
            default: return name.first == first && matches(name.dropFirst(), pattern.dropFirst())
            }
        }
    }

    static let peer = IPAddress.ipv4(198, 18, 255, 254)

    func convert(_ entry: KeepalivedCorpusEntry, native: Bool) throws -> (KeepalivedImport, ClusterConfig) {
        var files = entry.includes
        files[Self.file] = entry.text
        let statements = try KeepalivedParser(source: Files(files: files)).parse(entry.text, file: Self.file)
        var options = KeepalivedImport.Options()
        options.native = native
        if let address = entry.address {
            options.address = IPAddress(address)
            #expect(options.address != nil, "\(entry.name): --address \(address)")
            options.peers = [Self.peer]
        }
        let result = try KeepalivedImport(statements, file: Self.file, options: options)
        let yaml = result.yaml(generator: "test")
        switch ConfigParser.parse(yaml: yaml, file: "\(entry.name).yaml") {
        case .success(let config): return (result, config)
        case .failure(let errors):
            Issue.record("\(entry.name) (\(native ? "native" : "VRRP")): \(errors.problems.map(\.description))\n\(yaml)")
            throw errors
        }
    }

    @Test("each file converts to what keepalived runs", arguments: KeepalivedCorpus.entries, [false, true])
    func convertsAsKeepalivedRuns(entry: KeepalivedCorpusEntry, native: Bool) throws {
        let (result, config) = try convert(entry, native: native)
        let mode = "\(entry.name) (\(native ? "native" : "VRRP"))"
        let expected = native ? entry.nativeInstances ?? entry.instances : entry.instances
        #expect(config.groups.map(\.name) == expected.map(\.name), "\(mode)")
        for (instance, group) in zip(expected, config.groups) {
            let what = "\(mode) \(instance.name)"
            #expect(group.interface == instance.interface, "\(what)")
            #expect(group.priority == instance.priority, "\(what)")
            #expect(group.preempt == instance.preempt, "\(what)")
            // Over VRRP a virtual router is of its first address's family (here: IPv4 if it has any).
            let addresses = native ? instance.ipv4 + instance.ipv6 : instance.ipv4.isEmpty ? instance.ipv6 : instance.ipv4
            #expect(group.addresses.map(\.description) == addresses, "\(what)")
            let own = Dictionary(uniqueKeysWithValues: group.addressInterfaces.map { ($0.key.description, $0.value) })
            #expect(own == instance.ownInterfaces, "\(what)")
            let effects = Dictionary(uniqueKeysWithValues: (group.checks ?? []).map { name in
                (name, config.checks.first { $0.name == name }?.effect)
            })
            #expect(effects == instance.checks.mapValues(Optional.some), "\(what)")
            #expect(group.virtualMAC.map(Int.init) == instance.virtualMAC, "\(what)")
            if let hooks = instance.hooks { #expect(group.hooks == hooks, "\(what)") }
            if let announce = instance.announce { #expect(group.announce == announce, "\(what)") }
            guard !native else {
                #expect(group.vrrp == nil, "\(what)")
                continue
            }
            let vrrp = try #require(group.vrrp, "\(what)")
            #expect(Int(vrrp.vrid) == instance.vrid, "\(what)")
            #expect(Int(vrrp.version) == instance.version, "\(what)")
            #expect(vrrp.advertInterval == instance.advert, "\(what)")
            #expect(vrrp.preemptDelay == instance.preemptDelay, "\(what)")
            #expect(vrrp.unicastPeers.map(\.description) == instance.unicastPeers, "\(what)")
            let password = result.passwordFiles.first { $0.path == vrrp.authPassFile }
            #expect(password?.password == instance.password, "\(what)")
            #expect((vrrp.authPassFile != nil) == (instance.password != nil), "\(what)")
        }
        let unicast = entry.instances.flatMap(\.unicastPeers)
        if native {
            // floatip's own protocol: the node's one preempt timer, the unicast peers (or --peer) as its peers.
            #expect(config.timers.preemptDelay == entry.instances.map(\.preemptDelay).max() ?? .zero, "\(mode)")
            var peers: [String] = []
            for peer in entry.address == nil ? unicast : ["\(Self.peer)"] where !peers.contains(peer) { peers.append(peer) }
            #expect(config.peers.map(\.address.description) == peers, "\(mode)")
        } else {
            #expect(config.peers.isEmpty, "\(mode): over VRRP the virtual router is the peer")
        }
        #expect(entry.address == nil || config.node.address.description == entry.address, "\(mode)")
        let notes = result.notes.map(\.description)
        for note in entry.notes + (native ? [] : entry.vrrpNotes) {
            #expect(notes.contains { $0.contains(note) }, "\(mode): no note \(note) in\n\(notes.joined(separator: "\n"))")
        }
        // Every note names a line of a file that was read.
        var lines = entry.includes.mapValues { $0.split(separator: "\n", omittingEmptySubsequences: false).count }
        lines[Self.file] = entry.text.split(separator: "\n", omittingEmptySubsequences: false).count
        for note in result.notes {
            #expect(note.location.line >= 1 && note.location.line <= lines[note.location.file] ?? 0, "\(mode): \(note)")
        }
    }

    @Test func theCorpusCoversEnoughFiles() {
        #expect(KeepalivedCorpus.entries.count >= 20)
        #expect(Set(KeepalivedCorpus.entries.map(\.name)).count == KeepalivedCorpus.entries.count)
    }

    /// An include that matches nothing is an error at its FILE:LINE, also from an included file.
    static let missingIncludes: [(String, [String: String], String)] = [
        ("global_defs {\n}\ninclude conf.d/missing-*.conf\n", [:],
         "/etc/keepalived/keepalived.conf:3: include conf.d/missing-*.conf: no such file (relative to /etc/keepalived)"),
        ("include conf.d/*.conf\n", ["/etc/keepalived/conf.d/a.conf": "\n\ninclude ../scripts/gone.conf\n"],
         "/etc/keepalived/conf.d/a.conf:3: include ../scripts/gone.conf: no such file (relative to /etc/keepalived/conf.d)"),
        ("includea /etc/keepalived/extra.conf\n", [:],
         "/etc/keepalived/keepalived.conf:1: includea /etc/keepalived/extra.conf: no such file (relative to /etc/keepalived)"),
    ]

    @Test(arguments: missingIncludes)
    func aMissingIncludeIsAnErrorAtItsLine(text: String, includes: [String: String], message: String) {
        do {
            _ = try KeepalivedParser(source: Files(files: includes)).parse(text, file: Self.file)
            Issue.record("no error; expected \(message)")
        } catch {
            #expect("\(error)" == message)
        }
    }
}
