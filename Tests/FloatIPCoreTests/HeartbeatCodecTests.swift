import FloatIPSimulator
import Testing
@testable import FloatIPCore

extension WireTests {
    @Suite struct HeartbeatCodecTests {
        static let secret = Array("correct horse battery staple".utf8)
        let codec = HeartbeatCodec(secret: HeartbeatCodecTests.secret, cluster: "lab")

        // MARK: Golden bytes

        /// A fixed heartbeat: two groups, the second handing over to node-b by an operator's switchover.
        static let golden = Heartbeat(
            cluster: "lab", sender: "node-a", bootID: 1_767_225_600_000, sequence: 42, interval: .milliseconds(200),
            groups: [
                GroupAdvert(group: "web", role: .holder, priority: 150, healthy: true, active: true, term: 7),
                GroupAdvert(
                    group: "db", role: .holder, priority: 120, healthy: true, active: true,
                    handover: Handover(target: "node-b", sticky: true), term: 3
                ),
            ]
        )

        /// The golden datagram, field by field. The MAC was computed independently of this code (Python's
        /// hmac and hashlib, HKDF written out from RFC 5869), so it checks the key derivation too.
        static let goldenHex = [
            "4650",  // magic "FP"
            "01",  // version 1
            "01",  // kind 1: heartbeat
            "006c",  // total length: 108 bytes
            "0000",  // reserved
            "0000019b76daa800",  // boot id 1767225600000 (2026-01-01T00:00:00Z in ms)
            "000000000000002a",  // sequence 42
            "00030d40",  // interval 200000 µs
            "03", "6c6162",  // cluster "lab"
            "06", "6e6f64652d61",  // sender "node-a"
            "02",  // 2 groups
            "03", "776562",  // group "web"
            "02",  // role holder
            "05",  // flags: healthy | active
            "96",  // priority 150
            "0000000000000007",  // term 7
            "02", "6462",  // group "db"
            "02",  // role holder
            "35",  // flags: healthy | active | handover present | handover sticky
            "78",  // priority 120
            "0000000000000003",  // term 3
            "06", "6e6f64652d62",  // handover target "node-b"
            "55c130647a879531d366e13fc886da2169b9568d1e52e73f5ca043d5f77dc0e1",  // HMAC-SHA256 of the 76 bytes above
        ].joined()

        @Test func goldenEncoding() throws {
            let datagram = try codec.encode(Self.golden)
            #expect(hex(datagram) == Self.goldenHex)
            #expect(datagram.count == codec.encodedSize(Self.golden))
        }

        @Test func goldenDecoding() throws {
            #expect(try codec.decode(bytes(hex: Self.goldenHex)) == Self.golden)
        }

        /// The golden heartbeat from a quiet standby's build, spacing 10: kind 2, the spacing where
        /// kind 1 has its reserved field, everything else alike. MAC computed in Python as above.
        @Test func goldenSpacedHeartbeat() throws {
            var spaced = Self.golden
            spaced.spacing = 10
            let expected = "46500102006c000a"
                + String(Self.goldenHex.dropFirst(16).dropLast(64))
                + "4ccff21f9eb8177f2103874f4166c02f9bf2ceb34b8f13efdb4e8e2faa4ed5aa"
            #expect(hex(try codec.encode(spaced)) == expected)
            #expect(try codec.decode(bytes(hex: expected)) == spaced)
            #expect(spaced.period == .seconds(2))
            #expect(Self.golden.period == .milliseconds(200), "kind 1: every interval")
            var spacing1 = Self.golden
            spacing1.spacing = 1
            #expect(try codec.decode(codec.encode(spacing1)).spacing == 1, "kind 2 with spacing 1 is not kind 1")
            for bad in [0, HeartbeatCodec.maxSpacing + 1] {
                spaced.spacing = bad
                #expect(throws: WireError.invalidSpacing) { try codec.encode(spaced) }
            }
        }

        // MARK: Round trips and encoding rules

        @Test func randomHeartbeatsRoundTrip() throws {
            var rng = SplitMix64(seed: 0xF10A_7001)
            var encoded = 0
            for _ in 0..<2_000 {
                let heartbeat = randomHeartbeat(&rng)
                let size = codec.encodedSize(heartbeat)
                guard size <= HeartbeatCodec.maxDatagramSize else {
                    #expect(throws: WireError.tooLarge(size)) { try codec.encode(heartbeat) }
                    continue
                }
                let datagram = try codec.encode(heartbeat)
                #expect(datagram.count == size)
                #expect(try codec.decode(datagram) == heartbeat)
                #expect(try codec.decode(datagram[...]) == heartbeat)  // any Collection of bytes
                encoded += 1
            }
            #expect(encoded > 1_000)
        }

        @Test func priorityAndIntervalAreClamped() throws {
            var heartbeat = Self.golden
            heartbeat.groups[0].priority = 300
            heartbeat.groups[1].priority = -5
            heartbeat.interval = .nanoseconds(1_500)
            var decoded = try codec.decode(codec.encode(heartbeat))
            #expect(decoded.groups.map(\.priority) == [255, 0])
            #expect(decoded.interval == .microseconds(1))

            heartbeat.interval = .seconds(7_200)
            decoded = try codec.decode(codec.encode(heartbeat))
            #expect(decoded.interval == .microseconds(Int64(UInt32.max)))
            heartbeat.interval = .milliseconds(-10)
            decoded = try codec.decode(codec.encode(heartbeat))
            #expect(decoded.interval == .zero)
        }

        @Test func encodeRejectsWhatDecodeWouldReject() {
            func encoding(_ change: (inout Heartbeat) -> Void) -> WireError? {
                var heartbeat = Self.golden
                change(&heartbeat)
                do {
                    _ = try codec.encode(heartbeat)
                    return nil
                } catch {
                    return error
                }
            }
            #expect(encoding { $0.sender = "" } == .invalidName(field: "sender"))
            #expect(encoding { $0.sender = String(repeating: "a", count: 64) } == .invalidName(field: "sender"))
            #expect(encoding { $0.sender = "nöde" } == .invalidName(field: "sender"))
            #expect(encoding { $0.groups[1].group = "d b" } == .invalidName(field: "group[1]"))
            #expect(encoding { $0.groups[1].handover?.target = "" } == .invalidName(field: "group[1].handover"))
            #expect(encoding { $0.cluster = "other" } == .wrongCluster("other"))
            #expect(encoding { $0.sequence = 0 } == .invalidSequence)
            #expect(encoding { $0.groups[1].group = "web" } == .duplicateGroup("web"))
            #expect(encoding { $0.groups = (0..<256).map { GroupAdvert(group: "g\($0)", role: .standby, priority: 1) } }
                == .tooManyGroups(256))
            #expect(encoding { $0.sender = String(repeating: "a", count: 63) } == nil)
        }

        @Test func oversizeHeartbeatIsNotEncoded() {
            let long = String(repeating: "n", count: 63)
            let groups = (0..<10).map { index in
                GroupAdvert(
                    group: "\(index)" + String(repeating: "g", count: 62), role: .holder, priority: 1,
                    handover: Handover(target: long, sticky: false)
                )
            }
            let heartbeat = Heartbeat(
                cluster: "lab", sender: long, bootID: 1, sequence: 1, interval: .seconds(1), groups: groups
            )
            let size = codec.encodedSize(heartbeat)
            #expect(size > HeartbeatCodec.maxDatagramSize)
            #expect(throws: WireError.tooLarge(size)) { try codec.encode(heartbeat) }
            let worstCase = HeartbeatCodec.worstCaseSize(
                cluster: "lab", sender: long, groups: groups.map(\.group), longestNodeName: 63
            )
            #expect(worstCase == size)
            // Nine such groups do fit (eight, were the cluster name 63 bytes too).
            var eight = heartbeat
            eight.groups.removeLast()
            #expect(codec.encodedSize(eight) <= HeartbeatCodec.maxDatagramSize)
        }

        // MARK: Authentication

        @Test func everyBitFlipIsRejected() throws {
            let datagram = try codec.encode(Self.golden)
            for index in datagram.indices {
                for bit in 0..<8 {
                    var forged = datagram
                    forged[index] ^= 1 << bit
                    let expected: WireError =
                        switch index {
                        case 0...1: .badMagic
                        case 2: .unsupportedVersion(forged[2])
                        case 4...5: .lengthMismatch(declared: Int(forged[4]) << 8 | Int(forged[5]), actual: 108)
                        default: .badAuthentication
                        }
                    #expect(throws: expected) { try codec.decode(forged) }
                }
            }
        }

        @Test func wrongSecretOrClusterKeyIsRejected() throws {
            let datagram = try codec.encode(Self.golden)
            let otherSecret = HeartbeatCodec(secret: Array("correct horse battery stapler".utf8), cluster: "lab")
            #expect(throws: WireError.badAuthentication) { try otherSecret.decode(datagram) }
            // Same secret, other cluster: the cluster name is part of the key.
            let otherCluster = HeartbeatCodec(secret: Self.secret, cluster: "lob")
            #expect(throws: WireError.badAuthentication) { try otherCluster.decode(datagram) }
        }

        @Test func authenticDatagramForAnotherClusterIsRejected() throws {
            var body = try unsigned(codec.encode(Self.golden))
            body[30] = UInt8(ascii: "o")  // "lab" -> "lob"
            #expect(throws: WireError.wrongCluster("lob")) { try codec.decode(codec.sign(body)) }
        }

        // MARK: Malformed input

        @Test func truncationAtEveryLengthIsATypedError() throws {
            let datagram = try codec.encode(Self.golden)
            for length in 0..<datagram.count {
                let expected: WireError =
                    length < HeartbeatCodec.minDatagramSize
                    ? .tooShort(length) : .lengthMismatch(declared: datagram.count, actual: length)
                #expect(throws: expected) { try codec.decode(datagram.prefix(length)) }
            }
        }

        @Test func truncatedBodyBehindAValidMACIsATypedError() throws {
            let body = try unsigned(codec.encode(Self.golden))
            for length in HeartbeatCodec.fixedHeaderSize..<body.count {
                let datagram = codec.sign(withLength(Array(body.prefix(length))))
                if datagram.count < HeartbeatCodec.minDatagramSize {
                    #expect(throws: WireError.tooShort(datagram.count)) { try codec.decode(datagram) }
                } else {
                    #expect {
                        try codec.decode(datagram)
                    } throws: { error in
                        if case .truncated = error as? WireError { return true }
                        return false
                    }
                }
            }
        }

        @Test func specificBodyErrorsBehindAValidMAC() throws {
            let body = try unsigned(codec.encode(Self.golden))
            func decoding(_ change: (inout [UInt8]) -> Void) -> WireError? {
                var changed = body
                change(&changed)
                do {
                    _ = try codec.decode(codec.sign(withLength(changed)))
                    return nil
                } catch {
                    return error
                }
            }
            #expect(decoding { $0[3] = 9 } == .unknownKind(9))
            #expect(decoding { $0[7] = 1 } == .reservedBitsSet)
            #expect(decoding { $0[3] = 2 } == .invalidSpacing)  // kind 2 with spacing 0
            #expect(decoding { $0[23] = 0 } == .invalidSequence)
            #expect(decoding { $0[28] = 0 } == .invalidName(field: "cluster"))
            #expect(decoding { $0[29] = UInt8(ascii: "/") } == .invalidName(field: "cluster"))
            #expect(decoding { $0[39] = 1 } == .trailingBytes(21))  // one group declared, the second left over
            #expect(decoding { $0[39] = 3 } == .truncated(field: "group[2]"))
            #expect(decoding { $0[44] = 5 } == .invalidRole(5))  // role of group "web"
            #expect(decoding { $0[45] = 0x45 } == .reservedBitsSet)  // bit 6
            #expect(decoding { $0[45] = 0x25 } == .reservedBitsSet)  // handover sticky without a handover
            #expect(decoding { $0.replaceSubrange(56...57, with: Array("web".utf8)); $0[55] = 3 }
                == .duplicateGroup("web"))
            #expect(decoding { $0.append(0) } == .trailingBytes(1))
        }

        @Test func oversizeDatagramsAreRejected() {
            for size in [1_401, 1_500, 65_536] {
                #expect(throws: WireError.tooLarge(size)) {
                    try codec.decode([UInt8](repeating: 0x46, count: size))
                }
            }
        }

        // MARK: Fuzzing

        /// Random byte strings, a quarter with a plausible header so they reach the MAC check: all rejected.
        @Test func randomBytesAreRejected() {
            var rng = SplitMix64(seed: 0xBAD_DA7A)
            var reasons: [String: Int] = [:]
            for round in 0..<100_000 {
                var datagram = rng.bytes(Int.random(in: 0...1_500, using: &rng))
                if round % 4 == 0, datagram.count >= HeartbeatCodec.fixedHeaderSize {
                    datagram.replaceSubrange(0..<4, with: [0x46, 0x50, 0x01, 0x01])
                    datagram[4] = UInt8(truncatingIfNeeded: datagram.count >> 8)
                    datagram[5] = UInt8(truncatingIfNeeded: datagram.count)
                }
                do {
                    _ = try codec.decode(datagram)
                    Issue.record("random datagram of \(datagram.count) bytes decoded (round \(round))")
                } catch {
                    reasons[error.reason, default: 0] += 1
                }
            }
            let expected: Set = ["too_short", "too_large", "bad_magic", "bad_auth"]
            #expect(expected.isSubset(of: reasons.keys))
            #expect(Set(reasons.keys).isSubset(of: expected.union(["bad_version", "bad_length"])))
        }

        /// Valid datagrams mutated and re-signed with the right key, so the parser behind the MAC is fuzzed:
        /// each decodes or throws a typed error, and whatever decodes re-encodes to the very same bytes.
        @Test func resignedMutationsDecodeCanonicallyOrThrow() throws {
            var rng = SplitMix64(seed: 0x5EED_F00D)
            var reasons: [String: Int] = [:]
            var base: [UInt8] = []
            for round in 0..<20_000 {
                if round % 50 == 0 {
                    var heartbeat = randomHeartbeat(&rng)
                    heartbeat.groups = Array(heartbeat.groups.prefix(4))
                    base = try unsigned(codec.encode(heartbeat))
                }
                var body = base
                for _ in 0..<Int.random(in: 1...3, using: &rng) { mutate(&body, &rng) }
                let datagram = codec.sign(withLength(body))
                do {
                    let heartbeat = try codec.decode(datagram)
                    #expect(try codec.encode(heartbeat) == datagram)
                    reasons["decoded", default: 0] += 1
                } catch {
                    reasons[error.reason, default: 0] += 1
                }
            }
            #expect(reasons["decoded", default: 0] > 100)
            let expected: Set = [
                "decoded", "truncated", "bad_name", "bad_role", "reserved_bits", "trailing_bytes", "unknown_kind",
            ]
            #expect(expected.isSubset(of: reasons.keys))
        }

        // MARK: Helpers

        /// One random change to a body: a byte set, a bit flipped, a byte inserted or deleted, a cut, an edge value.
        private func mutate(_ body: inout [UInt8], _ rng: inout SplitMix64) {
            // Leave the magic and version alone (checked before the MAC); `withLength` fixes the length after.
            guard body.count > 4 else { return }
            let index = Int.random(in: 3..<body.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: body[index] = UInt8.random(in: 0...255, using: &rng)
            case 1: body[index] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 2: body.insert(UInt8.random(in: 0...255, using: &rng), at: index)
            case 3: body.remove(at: index)
            case 4: body.removeSubrange(index...)
            default: body[index] = [0, 1, 2, 5, 6, 0x3F, 0x40, 0x7F, 0x80, 0xFF].randomElement(using: &rng) ?? 0
            }
        }

        /// A heartbeat with random names, groups and values; the interval in whole microseconds so it round-trips.
        private func randomHeartbeat(_ rng: inout SplitMix64) -> Heartbeat {
            let groups = (0..<Int.random(in: 0...12, using: &rng)).map { index in
                GroupAdvert(
                    group: "\(index)" + randomName(&rng, maxLength: 40),
                    role: Role.allCases.randomElement(using: &rng) ?? .standby,
                    priority: Int.random(in: 0...255, using: &rng),
                    healthy: Bool.random(using: &rng), maintenance: Bool.random(using: &rng),
                    active: Bool.random(using: &rng), sticky: Bool.random(using: &rng),
                    handover: Bool.random(using: &rng)
                        ? Handover(target: randomName(&rng, maxLength: 63), sticky: Bool.random(using: &rng)) : nil,
                    term: rng.next()
                )
            }
            return Heartbeat(
                cluster: "lab", sender: randomName(&rng, maxLength: 63), bootID: rng.next(),
                sequence: UInt64.random(in: 1...UInt64.max, using: &rng),
                interval: .microseconds(Int64(UInt32.random(in: 0...UInt32.max, using: &rng))), groups: groups,
                spacing: Bool.random(using: &rng) ? nil : Int.random(in: 1...HeartbeatCodec.maxSpacing, using: &rng)
            )
        }

        private func randomName(_ rng: inout SplitMix64, maxLength: Int) -> String {
            let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
            let length = Int.random(in: 1...maxLength, using: &rng)
            return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
        }

        /// A datagram without its MAC.
        private func unsigned(_ datagram: [UInt8]) -> [UInt8] {
            Array(datagram.dropLast(HeartbeatCodec.macSize))
        }

        /// `body` with the length field set for the datagram it becomes once signed.
        private func withLength(_ body: [UInt8]) -> [UInt8] {
            var body = body
            let total = body.count + HeartbeatCodec.macSize
            if body.count >= 6 {
                body[4] = UInt8(truncatingIfNeeded: total >> 8)
                body[5] = UInt8(truncatingIfNeeded: total)
            }
            return body
        }
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
}

private func bytes(hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap { index in
        UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16)
    }
}
