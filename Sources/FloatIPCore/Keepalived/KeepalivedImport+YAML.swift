extension KeepalivedImport {
    /// The floatip config, as YAML, headed by what was not carried over.
    public func yaml(generator: String) -> String {
        var lines = ["# floatip config converted from \(file) by \(generator), "
            + (options.native ? "on floatip's own protocol." : "joining keepalived's virtual routers over VRRP.")]
        if !notes.isEmpty {
            lines.append("# Not carried over, or carried over differently:")
            lines += notes.map { "#   \($0)" }
        }
        lines += ["cluster: \(options.cluster)"]
        if let node { lines.append("node: { name: \(node.name), address: \(node.address) }") }
        if peers.isEmpty, options.native {
            lines.append("# TODO: no peers: add every other node under peers: (its address and the name its own file gives it)")
        } else if !peers.isEmpty {
            lines.append("peers:")
            lines += peers.map { "  - { name: \($0.name), address: \($0.address) }" }
        }
        lines.append("secret_file: \(options.secretFile)")
        if !options.native {
            // Each VRRP group has its own preempt_delay (in `vrrp:`).
        } else if let preemptDelay {
            lines.append("timers: { preempt_delay: \(Self.seconds(Double(preemptDelay.nanoseconds) / 1e9)) }")
        } else {
            lines.append("# keepalived preempts at once; floatip's default preempt_delay (10s) damps a flapping node.")
            lines.append("timers: { preempt_delay: 0s }")
        }
        if !checks.isEmpty {
            lines.append("checks:")
            for check in checks {
                lines.append("  - { name: \(check.name), " + check.fields.map { "\($0): \($1)" }.joined(separator: ", ") + " }")
            }
        }
        lines.append("groups:")
        for group in groups {
            lines.append("  - name: \(group.name)")
            let addresses = group.addresses.map { entry in
                group.ownInterfaces[entry].map { "{ address: \(entry), interface: \($0) }" } ?? entry
            }
            lines.append("    addresses: [\(addresses.joined(separator: ", "))]")
            if let interface = group.interface { lines.append("    interface: \(interface)") }
            lines.append("    priority: \(group.priority)")
            if !group.preempt { lines.append("    preempt: false") }
            // Without a list a group uses every check: say exactly which, as keepalived tracks per instance.
            lines.append("    checks: [\(group.checks.joined(separator: ", "))]")
            if let id = group.virtualMAC { lines.append("    virtual_mac: \(id)") }
            if !options.native {
                var settings = group.vrrp
                if group.password != nil { settings.append(("auth_pass_file", passwordFile(group))) }
                lines.append("    protocol: vrrp")
                lines.append("    vrrp: { " + settings.map { "\($0): \($1)" }.joined(separator: ", ") + " }")
            }
            if !group.announce.isEmpty {
                lines.append("    announce: { " + group.announce.map { "\($0): \($1)" }.joined(separator: ", ") + " }")
            }
            if !group.hooks.isEmpty {
                lines.append("    hooks:")
                lines += group.hooks.map { "      \($0): \($1)" }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each VRRP group's `auth_pass_file` and the password to write into it (keepalived's `auth_pass`).
    public var passwordFiles: [(path: String, password: String)] {
        groups.compactMap { group in group.password.map { (passwordFile(group), $0) } }
    }

    private func passwordFile(_ group: Group) -> String { "\(options.directory)/vrrp-\(group.name).pass" }
}
