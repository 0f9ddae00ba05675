import FloatIPAssembly
import FloatIPCloud
import FloatIPCore
import FloatIPLinux
import FloatIPTestSupport
import Testing

/// `MoverSet`, the one registry of mover kinds.
@Suite struct MoverSetTests {
    @Test("every mover kind has an entry, and a cloud kind's provider is that kind's")
    func everyKindHasItsEntry() {
        // A kind added to `MoverKind` without an entry does not compile (`MoverSet.entry` switches
        // over every case); this checks that each entry is the kind's own.
        for kind in MoverKind.allCases {
            switch MoverSet.entry(for: kind) {
            case .local: #expect(kind == .local)
            case .dns: #expect(kind == .dns)
            case .cloud(let provider): #expect(provider.kind == kind, "\(kind) is made by \(provider.name)")
            case .script: #expect(kind == .script)
            case .azureLB: #expect(kind == .azureLB)
            case .bgp: #expect(kind == .bgp)
            }
        }
        #expect(MoverKind.allCases.filter { MoverSet.cloudProvider($0) == nil } == [.local, .dns, .script, .azureLB, .bgp])
    }

    @Test("a local group gets the one local mover, and it describes a claim by its addresses and interface")
    func localGroup() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let config = try workspace.config(workspace.yaml())
        let set = try MoverSet.make(for: config.groups, node: config.node, logger: LogCapture().logger)
        let mover = try #require(set.movers["web"])
        #expect(mover is LocalMover && set.local != nil)
        #expect(mover.claimSummary(of: config.groups[0], took: .milliseconds(12))
            == "claimed web: 198.18.0.100/32 on lo in 12 ms (with the first announcement burst)")
        #expect(mover.holderSummary(of: config.groups[0]) == nil)
    }

    @Test("a mover that cannot be made names its group")
    func setupErrorNamesTheGroup() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let config = try workspace.config(workspace.yaml(groups: """
              - name: names
                priority: 100
                mover: { kind: dns, server: "127.0.0.1:53", zone: example.test, name: vip.example.test, key_file: \(workspace.path("none")) }

            """))
        #expect {
            _ = try MoverSet.make(for: config.groups, node: config.node, logger: LogCapture().logger)
        } throws: { error in
            "\(error)".hasPrefix("group names: ") && "\(error)".contains(workspace.path("none"))
        }
    }

    @Test("a script group gets a script mover, reconciled only with a holder command; an azure-lb group its listener")
    func scriptAndAzureLBGroups() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let config = try workspace.config(workspace.yaml(groups: """
              - name: scripted
                addresses: [198.18.0.100/32]
                priority: 100
                mover: { kind: script, claim: /bin/true, holder: /bin/true, reconcile_interval: 2s }
              - name: claimonly
                addresses: [198.18.0.101/32]
                priority: 100
                mover: { kind: script, claim: "exit 0", shell: true }
              - name: probed
                addresses: [198.18.0.102/32]
                priority: 100
                mover: { kind: azure-lb, port: 9100 }

            """))
        let set = try MoverSet.make(for: config.groups, node: config.node, logger: LogCapture().logger)
        #expect(set.movers["scripted"] is ScriptMover && set.movers["claimonly"] is ScriptMover)
        #expect(set.movers["probed"] is AzureLBMover && set.local == nil)
        #expect(set.reconcileIntervals == ["scripted": .seconds(2)])
        #expect(set.movers["probed"]?.claimSummary(of: config.groups[2], took: .milliseconds(1))
            == "claimed probed: answering the load balancer's probe on 0.0.0.0:9100 (TCP) in 1 ms")
        #expect(set.movers["claimonly"]?.claimSummary(of: config.groups[1], took: .milliseconds(7))
            == "claimed claimonly: 198.18.0.101/32 through the script in 7 ms")
    }

    @Test("a script or azure-lb mover with bad options names the group and the option")
    func scriptAndAzureLBSetupErrors() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        for (mover, expected) in [
            ("{ kind: script, release: /bin/true }", "group web: mover.claim: missing: set `claim`"),
            ("{ kind: script, claim: vip-claim }", "group web: mover.claim: `vip-claim` is not an absolute path"),
            ("{ kind: script, claim: /bin/true, timeout: forever }", "group web: mover.timeout: "),
            ("{ kind: azure-lb, port: 70000 }", "group web: mover.port: `70000` is not a TCP port"),
        ] {
            let config = try workspace.config(workspace.yaml(groups: """
                  - name: web
                    addresses: [198.18.0.100/32]
                    priority: 100
                    mover: \(mover)

                """))
            #expect {
                _ = try MoverSet.make(for: config.groups, node: config.node, logger: LogCapture().logger)
            } throws: { error in
                "\(error)".hasPrefix(expected)
            }
        }
    }
}
