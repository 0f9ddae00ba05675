import Crypto

/// The key that authenticates one kind of datagram, and HMAC-SHA256 under it (RFC 2104).
///
/// Key: HKDF-SHA256(secret, salt, info: cluster name) → 32 bytes; the salt keeps the heartbeat
/// and witness keys apart, the cluster name keeps two clusters that share a secret apart. The
/// MAC absorbs the padded key into two SHA-256 states once, here, and each datagram copies them:
/// concrete SHA-256 calls, without `HMAC<H>`'s generic path, which cost more than the hashing
/// itself on a heartbeat (perf on an idle agent).
struct DatagramKey: Sendable {
    /// The derived key (for `HMAC<SHA256>`, which the tests check this against).
    let key: SymmetricKey
    private let inner: SHA256
    private let outer: SHA256

    init(secret: [UInt8], salt: [UInt8], cluster: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: secret), salt: salt, info: Array(cluster.utf8), outputByteCount: 32)
        // A 32-byte key is shorter than SHA-256's 64-byte block: zero-padded, not hashed.
        var block = [UInt8](repeating: 0, count: 64)
        key.withUnsafeBytes { for (index, byte) in $0.enumerated() { block[index] = byte } }
        var inner = SHA256()
        var outer = SHA256()
        [UInt8](block.map { $0 ^ 0x36 }).withUnsafeBytes { inner.update(bufferPointer: $0) }
        [UInt8](block.map { $0 ^ 0x5c }).withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    /// HMAC-SHA256 of `body`: 32 bytes.
    func mac(of body: ArraySlice<UInt8>) -> [UInt8] {
        var inner = self.inner
        body.withUnsafeBytes { inner.update(bufferPointer: $0) }
        let innerDigest = inner.finalize()
        var outer = self.outer
        innerDigest.withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize().withUnsafeBytes { Array($0) }
    }
}
