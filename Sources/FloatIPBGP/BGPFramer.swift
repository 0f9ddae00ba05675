import FloatIPCore

/// Cuts a TCP byte stream into whole BGP messages: bytes go in as they arrive, and each complete
/// message comes out once its length's worth is there. A bad header (marker, length, type) is
/// an error at once: the stream cannot be resynchronised.
public struct BGPFramer: Sendable {
    private var buffer: [UInt8] = []

    public init() {}

    public mutating func append(_ bytes: some Sequence<UInt8>) { buffer.append(contentsOf: bytes) }

    /// The next whole message's bytes, or nil until more arrive.
    public mutating func next() throws(BGPError) -> [UInt8]? {
        guard buffer.count >= BGPCodec.headerLength else { return nil }
        let (_, length) = try BGPCodec.header(Array(buffer.prefix(BGPCodec.headerLength)))
        guard buffer.count >= length else { return nil }
        let message = Array(buffer.prefix(length))
        buffer.removeFirst(length)
        return message
    }
}
