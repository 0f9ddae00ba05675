/// How long a floating address put on a local interface lives unless its holder renews it.
/// A crashed agent cannot renew, so the kernel removes the address by itself.
public enum AddressLifetime: Sendable, Equatable, CustomStringConvertible {
    /// No lifetime: the address stays until removed (keepalived's behaviour).
    case forever
    /// The kernel's valid lifetime, in whole seconds (it removes expired addresses with about a second of slack).
    case seconds(Int)

    /// The default: 3 s, renewed every second while held.
    public static let standard = AddressLifetime.seconds(3)

    public var description: String {
        switch self {
        case .forever: "forever"
        case .seconds(let seconds): "\(seconds)s"
        }
    }
}

/// Which gratuitous ARP form to send: neighbours override a recent entry only for these two
/// (request with target MAC zero; reply with target MAC = own MAC). Some switches want one, some the other.
public enum ARPForm: String, Sendable, Equatable, CaseIterable {
    case request
    case reply
    case both
}

/// How a claim is announced on the LAN (gratuitous ARP for IPv4, unsolicited NA for IPv6).
public struct AnnounceConfig: Sendable, Equatable {
    /// Rounds in the burst sent at a claim. Default 3.
    public var count: Int
    /// Time between the rounds of a burst. Default 50 ms.
    public var spacing: Duration
    /// One more burst this long after the claim (for switches that were busy). Default 2 s; nil: off.
    public var repeatAfter: Duration?
    /// Announce again this often while holding (for MAC tables that age out). Default off.
    public var refresh: Duration?
    public var arp: ARPForm

    public init(
        count: Int = 3, spacing: Duration = .milliseconds(50), repeatAfter: Duration? = .seconds(2),
        refresh: Duration? = nil, arp: ARPForm = .request
    ) {
        self.count = count
        self.spacing = spacing
        self.repeatAfter = repeatAfter
        self.refresh = refresh
        self.arp = arp
    }
}
