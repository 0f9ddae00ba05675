import Yams

// The group fields of the `local` mover: address lifetime and announcements.
extension ConfigReader {
    /// `address_lifetime: 3s` (whole seconds, 1 s to 1 h) or `forever`. Default 3 s.
    mutating func addressLifetime(_ entries: Fields) -> AddressLifetime? {
        let path = entries.path("address_lifetime")
        guard let node = value(entries, "address_lifetime", required: false) else { return .standard }
        guard let text = string(node, path: path) else { return nil }
        if text == "forever" { return .forever }
        let allowed = "whole seconds from 1s to 1h, or `forever` (no lifetime: a crashed agent leaves the address behind)"
        switch DurationText.parse(text) {
        case .failure(let error):
            report(path, at: node, "\(error); allowed: \(allowed)")
            return nil
        case .success(let duration):
            let (seconds, attoseconds) = duration.components
            guard attoseconds == 0, (1...3600).contains(seconds) else {
                report(path, at: node, "\(text) is out of range; allowed: \(allowed) (the kernel counts lifetimes in whole seconds)")
                return nil
            }
            return .seconds(Int(seconds))
        }
    }

    /// `announce: { count, spacing, repeat_after, refresh, arp }`, every key optional.
    mutating func announceConfig(_ entries: Fields) -> AnnounceConfig? {
        guard let node = value(entries, "announce", required: false) else { return AnnounceConfig() }
        let keys = ["count", "spacing", "repeat_after", "refresh", "arp"]
        guard let fields = fields(node, path: entries.path("announce"), allowed: keys) else { return nil }
        let defaults = AnnounceConfig()
        let count = int(fields, "count", required: false, in: 0...100, what: "rounds per burst, from 0 to 100")
        let spacing = duration(fields, "spacing", minimum: .milliseconds(1), maximum: .seconds(10))
        let repeatAfter = optionalDuration(fields, "repeat_after", minimum: .milliseconds(10))
        let refresh = optionalDuration(fields, "refresh", minimum: .seconds(1))
        let arp = arpForm(fields)
        guard fields.has("count") == (count != nil), fields.has("spacing") == (spacing != nil),
            let repeatAfter, let refresh, let arp
        else { return nil }
        return AnnounceConfig(
            count: count ?? defaults.count, spacing: spacing ?? defaults.spacing,
            repeatAfter: fields.has("repeat_after") ? repeatAfter.value : defaults.repeatAfter,
            refresh: refresh.value, arp: arp)
    }

    /// `virtual_mac: ID`, a VRRP virtual router ID from 1 to 255 (MAC 00:00:5e:00:01:ID), unique in the
    /// file: two groups with one MAC would answer for each other's addresses. The outer optional is
    /// nil on a problem, `value` nil when absent. The ID is added to `virtualMACs`.
    mutating func virtualMACID(_ entries: Fields, virtualMACs: inout [Located<UInt8>]) -> Box<UInt8?>? {
        guard entries.has("virtual_mac") else { return Box(value: nil) }
        let what = "a VRRP virtual router ID from 1 to 255; the MAC is 00:00:5e:00:01:ID"
        guard let number = int(entries, "virtual_mac", required: false, in: 1...255, what: what) else { return nil }
        let id = UInt8(number)
        let path = entries.path("virtual_mac")
        let line = entries.keyLines["virtual_mac"] ?? entries.line
        if let earlier = virtualMACs.first(where: { $0.value == id }) {
            report(path, line: line, "virtual MAC ID \(id) is also \(earlier.path)"
                + (earlier.line.map { " (line \($0))" } ?? "") + "; each group needs its own ID (one MAC, one group)")
            return nil
        }
        virtualMACs.append(Located(value: id, path: path, line: line))
        return Box(value: id)
    }

    /// A duration or `off`; the outer optional is nil on a problem, `value` nil for `off` or absent.
    private mutating func optionalDuration(_ fields: Fields, _ key: String, minimum: Duration) -> Box<Duration?>? {
        guard let node = value(fields, key, required: false) else { return Box(value: nil) }
        if node.scalar?.string == "off" { return Box(value: nil) }
        guard let duration = duration(fields, key, minimum: minimum, maximum: .seconds(86_400)) else { return nil }
        return Box(value: duration)
    }

    /// `arp: request | reply | both`. Default `request`.
    private mutating func arpForm(_ fields: Fields) -> ARPForm? {
        guard let node = value(fields, "arp", required: false) else { return .request }
        guard let text = string(node, path: fields.path("arp")) else { return nil }
        guard let form = ARPForm(rawValue: text) else {
            report(fields.path("arp"), at: node, "unknown ARP form `\(text)`; allowed: request (ARP request, target MAC "
                + "zero), reply (ARP reply, target MAC = own MAC), both")
            return nil
        }
        return form
    }
}

/// Wraps an optional so that "absent or off" (nil inside) differs from "a problem" (nil outside).
struct Box<Value> {
    var value: Value
}
