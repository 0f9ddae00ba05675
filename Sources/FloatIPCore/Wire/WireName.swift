/// The rule for every name on the wire (cluster, node, group, handover target): 1–63 bytes of
/// `[A-Za-z0-9._-]`. Configuration validation uses the same rule, so a valid config always encodes.
public enum WireName {
    /// The longest name, in bytes.
    public static let maxLength = 63

    /// Whether `name` may appear on the wire.
    public static func isValid(_ name: String) -> Bool {
        isValid(bytes: name.utf8)
    }

    /// Whether `bytes` are a valid name (length and alphabet).
    static func isValid(bytes: some Collection<UInt8>) -> Bool {
        let count = bytes.count
        guard count >= 1, count <= maxLength else { return false }
        return bytes.allSatisfy(isNameByte)
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
