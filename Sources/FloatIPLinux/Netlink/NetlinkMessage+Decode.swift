/// One netlink message received from the kernel, with its payload (what follows the header).
struct NetlinkMessage: Sendable {
    var type: UInt16
    var flags: UInt16
    var sequence: UInt32
    var portID: UInt32
    var payload: ArraySlice<UInt8>

    /// Splits a datagram into messages (NLMSG_OK / NLMSG_NEXT). Throws on a length that runs past
    /// the datagram or is shorter than a header; never traps on what the kernel (or anyone) sent.
    static func split(_ datagram: [UInt8]) throws(NetlinkDecodeError) -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        var offset = 0
        while datagram.count - offset >= RT.messageHeaderLength {
            let bytes = datagram[offset...]
            guard let length = bytes.load(UInt32.self, at: 0), let type = bytes.load(UInt16.self, at: 4),
                let flags = bytes.load(UInt16.self, at: 6), let sequence = bytes.load(UInt32.self, at: 8),
                let portID = bytes.load(UInt32.self, at: 12)
            else { throw NetlinkDecodeError(what: "message header", offset: offset) }
            guard length >= RT.messageHeaderLength, Int(length) <= datagram.count - offset else {
                throw NetlinkDecodeError(what: "message length \(length)", offset: offset)
            }
            let payloadStart = offset + RT.messageHeaderLength
            messages.append(
                NetlinkMessage(
                    type: type, flags: flags, sequence: sequence, portID: portID,
                    payload: datagram[payloadStart..<offset + Int(length)]))
            offset += RT.align(Int(length))
        }
        return messages
    }
}

/// Bytes from the kernel that do not parse: what was wrong and where.
struct NetlinkDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    var what: String
    var offset: Int
    var description: String { "malformed netlink data: \(what) at byte \(offset)" }
}

/// The attributes (rtattr / nlattr TLVs) that follow a fixed header, by type with the
/// NLA_F_NESTED and NLA_F_NET_BYTEORDER bits removed. A later duplicate wins.
struct NetlinkAttributes: Sendable {
    private var values: [UInt16: ArraySlice<UInt8>] = [:]

    /// Parses attributes (RTA_OK / RTA_NEXT). Stops at the first attribute whose length is short
    /// or runs past the end: the ones before it are kept, the rest are ignored, nothing traps.
    init(_ bytes: ArraySlice<UInt8>) {
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= RT.attributeHeaderLength {
            let rest = bytes[offset...]
            guard let length = rest.load(UInt16.self, at: 0), let type = rest.load(UInt16.self, at: 2),
                Int(length) >= RT.attributeHeaderLength, Int(length) <= rest.count
            else { break }
            values[type & RT.attributeTypeMask] = rest[(offset + RT.attributeHeaderLength)..<(offset + Int(length))]
            offset += RT.align(Int(length))
        }
    }

    subscript(type: UInt16) -> ArraySlice<UInt8>? { values[type] }

    func uint32(_ type: UInt16) -> UInt32? { values[type]?.load(UInt32.self, at: 0) }

    func uint8(_ type: UInt16) -> UInt8? { values[type]?.first }

    /// A NUL-terminated string attribute (a missing terminator is tolerated).
    func string(_ type: UInt16) -> String? {
        guard let value = values[type] else { return nil }
        return String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
    }
}

extension ArraySlice<UInt8> {
    /// A host-order integer at `offset` bytes from the start of the slice, or nil past the end.
    func load<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
        guard offset >= 0, count - offset >= MemoryLayout<T>.size else { return nil }
        return withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }
}
