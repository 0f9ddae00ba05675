/// Builds one netlink request: the 16-byte header (host byte order), a fixed family header
/// (ifaddrmsg, ifinfomsg) and attributes, each padded to 4 bytes (NLMSG_ALIGN, RTA_ALIGN).
/// `bytes` is complete at every step: nlmsg_len always covers what has been appended.
struct NetlinkMessageBuilder {
    private(set) var bytes: [UInt8] = []

    init(type: UInt16, flags: UInt16, sequence: UInt32) {
        bytes.reserveCapacity(128)
        appendInteger(UInt32(RT.messageHeaderLength))  // nlmsg_len, updated as we go
        appendInteger(type)  // nlmsg_type
        appendInteger(flags)  // nlmsg_flags
        appendInteger(sequence)  // nlmsg_seq
        appendInteger(UInt32(0))  // nlmsg_pid: 0, the kernel fills in our port
    }

    /// Appends a C struct as its raw bytes (the family header), padded to 4 bytes.
    mutating func appendStruct<T: BitwiseCopyable>(_ value: T) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
        pad()
    }

    /// Appends an attribute (rtattr: u16 length including the 4-byte header, u16 type, payload, padding).
    mutating func appendAttribute(_ type: UInt16, _ payload: [UInt8]) {
        appendInteger(UInt16(RT.attributeHeaderLength + payload.count))
        appendInteger(type)
        bytes.append(contentsOf: payload)
        pad()
    }

    /// A nested attribute: its header, then whatever `body` appends, with the length patched to
    /// cover it (rtattr nesting as iproute2 sends it, without NLA_F_NESTED).
    mutating func appendNested(_ type: UInt16, _ body: (inout NetlinkMessageBuilder) -> Void) {
        let start = bytes.count
        appendInteger(UInt16(0))  // rta_len, patched below
        appendInteger(type)
        body(&self)
        let length = UInt16(truncatingIfNeeded: bytes.count - start)
        withUnsafeBytes(of: length) { bytes[start] = $0[0]; bytes[start + 1] = $0[1] }
    }

    /// A u8 attribute.
    mutating func appendAttribute(_ type: UInt16, uint8 value: UInt8) {
        appendAttribute(type, [value])
    }

    /// A u32 attribute in host byte order.
    mutating func appendAttribute(_ type: UInt16, uint32 value: UInt32) {
        appendAttribute(type, withUnsafeBytes(of: value) { Array($0) })
    }

    /// A string attribute, NUL-terminated as the kernel expects (nla_strscpy).
    mutating func appendAttribute(_ type: UInt16, string: String) {
        appendAttribute(type, Array(string.utf8) + [0])
    }

    private mutating func appendInteger<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
        updateLength()
    }

    private mutating func pad() {
        bytes.append(contentsOf: repeatElement(0, count: RT.align(bytes.count) - bytes.count))
        updateLength()
    }

    private mutating func updateLength() {
        guard bytes.count >= 4 else { return }
        withUnsafeBytes(of: UInt32(bytes.count)) { length in
            for index in 0..<4 { bytes[index] = length[index] }
        }
    }
}
