/// Why bytes from a DNS server (or built for one) are not a valid message. Each case names the
/// field or the limit, so a malformed answer is reported with a reason instead of crashing.
public enum DNSWireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message ended inside `field`.
    case truncated(field: String)
    /// A compression pointer points at or after itself, or pointers form a loop.
    case badPointer(offset: Int)
    /// A label length byte uses the reserved 0x40/0x80 forms.
    case badLabelType(offset: Int)
    /// A name longer than 255 bytes in wire form, or a label longer than 63.
    case nameTooLong
    /// A name written as text that is not a valid domain name.
    case badName(String, reason: String)
    /// A record's data does not fit its type (an A record that is not 4 bytes).
    case badRecordData(type: String, reason: String)
    /// Bytes left over after the last record the header announced.
    case trailingBytes(count: Int)
    /// A message that would exceed 65,535 bytes.
    case messageTooLarge(size: Int)

    public var description: String {
        switch self {
        case .truncated(let field): "message truncated in \(field)"
        case .badPointer(let offset): "bad name compression pointer at byte \(offset)"
        case .badLabelType(let offset): "unsupported label type at byte \(offset)"
        case .nameTooLong: "name longer than 255 bytes or a label longer than 63"
        case .badName(let name, let reason): "`\(name)` is not a domain name: \(reason)"
        case .badRecordData(let type, let reason): "bad \(type) record data: \(reason)"
        case .trailingBytes(let count): "\(count) bytes after the last record"
        case .messageTooLarge(let size): "message of \(size) bytes exceeds 65,535"
        }
    }
}
