import ArgumentParser
import FloatIPLab

/// `floatip lab up`: builds a lab and leaves it running.
struct LabUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Build a lab and leave it running (remove it with `floatip lab down`).",
        discussion: """
            Returns once the client is answered by web1 through the floating address. On an error \
            or Ctrl-C it removes what it built. Exit codes: 0 up; 1 failed (nothing left behind).

            --keepalived K runs keepalived on the last K nodes instead of floatip, in one VRRP \
            virtual router with the floatip nodes, whose group then speaks VRRP (docs/lab.md): \
            watch a mixed cluster, and try a migration by hand.

            --router bird (or frr) puts BIRD 2 (or FRR) between the nodes and the client: the group \
            uses the bgp mover, the holder announces the floating address to the router, and the \
            client reaches it through the router alone (docs/lab.md): watch the announcement move \
            with birdc (or vtysh).
            """
    )

    @OptionGroup var lab: LabNameOption
    @Option(help: "How many server nodes (2–5).") var nodes: Int = 2
    @Option(help: "How many of them (the last ones) run keepalived instead of floatip.") var keepalived: Int = 0
    @Option(help: "A router between the nodes and the client: bird or frr (the group then uses the bgp mover).") var router: LabRouter?

    func validate() throws {
        guard (0...nodes).contains(keepalived) else {
            throw ValidationError("--keepalived \(keepalived): give 0 to \(nodes) (the number of nodes)")
        }
        if router != nil, keepalived > 0 {
            throw ValidationError("--router and --keepalived: keepalived speaks VRRP on one LAN, the router lab moves the address with BGP; choose one")
        }
    }

    func run() throws {
        var layout = try lab.layout(nodes: nodes)
        layout.keepalived = keepalived == 0 ? [] : Set((nodes - keepalived + 1)...nodes)
        layout.router = router
        LabInterrupt.shared.install()
        let built = try runLabStep { () throws(LabError) in try Lab.up(layout) { print("  \($0)") } }
        print("""
            lab \(layout.name) is up: floating address \(LabLayout.floatingAddress), held by web1\(keepalived == 0 ? "" : "; keepalived on " + layout.keepalived.sorted().map { layout.nodeName($0) }.joined(separator: ", ") + " (VRID \(LabLayout.vrid))")
              ip netns exec \(layout.clientNamespace) \(Lab.currentBinary()) lab ask --name \(layout.name)   # who answers?
              ip netns exec \(layout.namespace(node: 1)) ip addr show \(router == nil ? "eth0" : "lo  ")                      # the address on web1
            \(routerHint(layout))  logs, configs and state: \(built.layout.directory)
              remove it: floatip lab down --name \(layout.name)
            """)
    }
}

extension LabUpCommand {
    /// How to look at the router's table, one line (empty without a router).
    func routerHint(_ layout: LabLayout) -> String {
        switch router {
        case .bird: "  ip netns exec \(layout.switchNamespace) birdc -s \(layout.routerSocket) show route all   # the announcement\n"
        case .frr: "  vtysh --vty_socket \(layout.frrDirectory) -c 'show ip bgp'   # the announcement\n"
        case nil: ""
        }
    }
}

extension LabRouter: ExpressibleByArgument {}
