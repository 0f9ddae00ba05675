import Crypto

extension HeartbeatCodec {
    /// The heartbeat in `datagram`, authenticated and parsed.
    ///
    /// Checks, in order: size limits, magic, version, that the length field matches the size, the MAC
    /// (constant time, before any byte of the body is parsed), then the body with bounds checks: kind,
    /// reserved field, sequence, names, cluster, roles, flags, duplicate groups, trailing bytes.
    /// Any decoded datagram re-encodes to the same bytes (the format has one encoding per heartbeat).
    /// Replay is not checked here: pass `bootID` and `sequence` to the sender's `ReplayWindow`.
    /// - Throws: the `WireError` for the first check that fails; never traps on any input.
    public func decode(_ datagram: some Collection<UInt8>) throws(WireError) -> Heartbeat {
        let size = datagram.count
        guard size <= Self.maxDatagramSize else { throw .tooLarge(size) }
        guard size >= Self.minDatagramSize else { throw .tooShort(size) }
        let bytes = Array(datagram)

        var header = WireReader(bytes)
        guard try header.readUInt8("magic") == Self.magic[0], try header.readUInt8("magic") == Self.magic[1] else {
            throw .badMagic
        }
        let version = try header.readUInt8("version")
        guard version == Self.version else { throw .unsupportedVersion(version) }
        _ = try header.readUInt8("kind")  // checked once the datagram is known to be authentic
        let declared = Int(try header.readUInt16("length"))
        guard declared == size else { throw .lengthMismatch(declared: declared, actual: size) }

        let bodyEnd = size - Self.macSize
        guard constantTimeEqual(mac(of: bytes[..<bodyEnd]), bytes[bodyEnd...]) else { throw .badAuthentication }

        var reader = WireReader(bytes, to: bodyEnd)
        return try parseBody(&reader)
    }

    /// Parses an authenticated body (the bytes before the MAC), from its first byte.
    private func parseBody(_ reader: inout WireReader) throws(WireError) -> Heartbeat {
        _ = try reader.readUInt16("magic")
        _ = try reader.readUInt8("version")
        let kind = try reader.readUInt8("kind")
        guard kind == Self.heartbeatKind || kind == Self.spacedHeartbeatKind else { throw .unknownKind(kind) }
        _ = try reader.readUInt16("length")
        let reserved = Int(try reader.readUInt16("reserved"))
        let spacing: Int?
        if kind == Self.heartbeatKind {
            guard reserved == 0 else { throw .reservedBitsSet }
            spacing = nil
        } else {
            guard reserved != 0 else { throw .invalidSpacing }
            spacing = reserved
        }
        let bootID = try reader.readUInt64("boot_id")
        let sequence = try reader.readUInt64("sequence")
        guard sequence != 0 else { throw .invalidSequence }
        let interval = Duration.microseconds(Int64(try reader.readUInt32("interval")))
        let cluster = try reader.readName("cluster")
        guard cluster == self.cluster else { throw .wrongCluster(cluster) }
        let sender = try reader.readName("sender")

        let count = Int(try reader.readUInt8("group_count"))
        var groups: [GroupAdvert] = []
        groups.reserveCapacity(count)
        var seen = Set<String>()
        for index in 0..<count {
            let advert = try parseGroup(&reader, index: index)
            guard seen.insert(advert.group).inserted else { throw .duplicateGroup(advert.group) }
            groups.append(advert)
        }
        guard reader.remaining == 0 else { throw .trailingBytes(reader.remaining) }

        return Heartbeat(
            cluster: cluster, sender: sender, bootID: bootID, sequence: sequence, interval: interval, groups: groups,
            spacing: spacing)
    }

    private func parseGroup(_ reader: inout WireReader, index: Int) throws(WireError) -> GroupAdvert {
        let field = "group[\(index)]"
        let name = try reader.readName(field)
        let roleByte = try reader.readUInt8("\(field).role")
        guard let role = Role(rawValue: roleByte) else { throw .invalidRole(roleByte) }
        let flags = GroupFlags(rawValue: try reader.readUInt8("\(field).flags"))
        guard flags.isValid else { throw .reservedBitsSet }
        let priority = Int(try reader.readUInt8("\(field).priority"))
        let term = try reader.readUInt64("\(field).term")
        var handover: Handover?
        if flags.contains(.handoverPresent) {
            let target = try reader.readName("\(field).handover")
            handover = Handover(target: target, sticky: flags.contains(.handoverSticky))
        }
        return GroupAdvert(
            group: name, role: role, priority: priority, healthy: flags.contains(.healthy),
            maintenance: flags.contains(.maintenance), active: flags.contains(.active),
            sticky: flags.contains(.sticky), handover: handover, term: term
        )
    }
}

/// Compares two byte strings in time that depends only on their length, so a forger learns
/// nothing from how fast a wrong MAC is rejected.
func constantTimeEqual(_ a: [UInt8], _ b: ArraySlice<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}
