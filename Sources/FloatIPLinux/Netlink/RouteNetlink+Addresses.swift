import CFloatIPLinux
import FloatIPCore
import Glibc

extension RouteNetlink {
    /// Adds `prefix` to the interface `interfaceIndex` (RTM_NEWADDR).
    ///
    /// - `label`: IPv4 only, at most 15 bytes (the kernel fails 16 or more with ERANGE; we refuse
    ///   before sending, with the same errno). The kernel takes any label; `ip` insists it starts
    ///   with the interface name (`eth0:vip`), and so should callers, for tools that read labels.
    ///   IPv6 has no labels: a label on an IPv6 address is refused with EINVAL.
    /// - `lifetime`: `.seconds(valid:preferred:)` makes the kernel delete the address when the valid
    ///   lifetime runs out, unless renewed with `replace: true`.
    /// - `noDAD`: IPv6 only, IFA_F_NODAD: usable at once, no duplicate-address detection.
    /// - `replace`: add, or if the address exists renew its lifetime and flags (NLM_F_REPLACE);
    ///   without it an existing address fails with EEXIST.
    ///
    /// The kernel sends no gratuitous ARP or unsolicited NA for a new address: announce it.
    public func addAddress(
        _ prefix: IPPrefix, interfaceIndex: Int32, label: String? = nil, lifetime: KernelLifetime = .forever,
        noDAD: Bool = true, replace: Bool = false
    ) throws(NetlinkError) {
        let verb = replace ? "replace" : "add"
        if let problem = Self.validate(prefix, label: label, lifetime: lifetime) {
            throw NetlinkError(operation: "\(verb) \(prefix) on index \(interfaceIndex)", errno: problem.errno, detail: problem.reason)
        }
        do {
            _ = try exchange(operation: "\(verb) \(prefix) on index \(interfaceIndex)") { sequence in
                AddressRequest.add(
                    prefix, interfaceIndex: interfaceIndex, label: label, lifetime: lifetime, noDAD: noDAD,
                    replace: replace, sequence: sequence)
            }
        } catch {
            throw named(error, "\(verb) \(prefix)", interfaceIndex: interfaceIndex)
        }
    }

    /// Deletes `prefix` from the interface `interfaceIndex` (RTM_DELADDR). An address that is not
    /// there fails with EADDRNOTAVAIL (IPv4 and IPv6 alike).
    public func deleteAddress(_ prefix: IPPrefix, interfaceIndex: Int32) throws(NetlinkError) {
        do {
            _ = try exchange(operation: "delete \(prefix) on index \(interfaceIndex)") { sequence in
                AddressRequest.delete(prefix, interfaceIndex: interfaceIndex, sequence: sequence)
            }
        } catch {
            throw named(error, "delete \(prefix)", interfaceIndex: interfaceIndex)
        }
    }

    /// The addresses of both families on every interface, or on `interfaceIndex` only (RTM_GETADDR dump).
    public func addresses(interfaceIndex: Int32? = nil) throws(NetlinkError) -> [AddressInfo] {
        let messages = try dump(operation: "list addresses") { AddressRequest.dump(sequence: $0) }
        return messages.compactMap { message in
            guard message.type == RT.newAddress, let address = AddressInfo(payload: message.payload) else { return nil }
            if let interfaceIndex, address.interfaceIndex != interfaceIndex { return nil }
            return address
        }
    }

    /// A request we refuse before sending it: its errno and the reason.
    static func validate(
        _ prefix: IPPrefix, label: String?, lifetime: KernelLifetime
    ) -> (errno: Int32, reason: String)? {
        if !(0...prefix.address.maxPrefixLength).contains(prefix.length) {
            return (EINVAL, "prefix length \(prefix.length) is out of range for the family")
        }
        if let label {
            if !prefix.address.isIPv4 { return (EINVAL, "IPv6 addresses have no labels") }
            let length = label.utf8.count
            if length > AddressRequest.maximumLabelLength {
                return (ERANGE, "label \"\(label)\" is \(length) bytes; the kernel takes at most \(AddressRequest.maximumLabelLength)")
            }
            if length == 0 || label.utf8.contains(0) { return (EINVAL, "label must be non-empty text without NUL") }
        }
        if case .seconds(let valid, let preferred) = lifetime {
            if valid == 0 { return (EINVAL, "a valid lifetime of 0 s would delete the address at once") }
            if preferred > valid { return (EINVAL, "preferred lifetime \(preferred) s exceeds valid lifetime \(valid) s") }
        }
        return nil
    }

    /// The error with the interface's name in its operation (`add X on eth0 (index 3)`), when the
    /// interface exists; the lookup happens only on this failure path.
    private func named(_ error: NetlinkError, _ action: String, interfaceIndex: Int32) -> NetlinkError {
        var error = error
        if let name = try? link(index: interfaceIndex)?.name {
            error.operation = "\(action) on \(name) (index \(interfaceIndex))"
        } else {
            error.operation = "\(action) on index \(interfaceIndex)"
            if error.errno == ENODEV, error.detail == nil { error.detail = "no interface has index \(interfaceIndex)" }
        }
        return error
    }
}
