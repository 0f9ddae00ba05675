import CFloatIPLinux
import FloatIPCore
import Glibc

/// Announces floating addresses on one interface: gratuitous ARP for IPv4, unsolicited NA for IPv6.
///
/// It owns its two sockets (opened in the namespace given at init); the interface is looked up by
/// name at every burst, so an interface that was recreated or changed its MAC is announced right.
/// When to burst (on claim, `repeatAfter`, `refreshEvery`) is the mover's business: see
/// `AnnounceSettings.claimBurstOffsets`.
public final class Announcer: Sendable {
    /// The interface the addresses are announced on.
    public let interface: String
    public let settings: AnnounceSettings
    private let arp: GratuitousARP
    /// nil where IPv6 is disabled; IPv6 addresses then fail with `ipv6Unavailable`.
    private let neighborAdvertisement: UnsolicitedNA?

    /// Opens the sockets in `namespace` (the current namespace if nil). Throws `AnnounceError`
    /// for invalid settings or a missing capability; the interface need not exist yet.
    public init(interface: String, settings: AnnounceSettings = AnnounceSettings(), namespace: String? = nil) throws {
        try settings.validate()
        self.interface = interface
        self.settings = settings
        arp = try GratuitousARP(namespace: namespace)
        do {
            neighborAdvertisement = try UnsolicitedNA(namespace: namespace)
        } catch let error as SystemError where error.errno == EAFNOSUPPORT {
            neighborAdvertisement = nil
        }
    }

    /// Sends `settings.count` rounds, `settings.spacing` apart on absolute deadlines, each one
    /// announcement per address. Returns when the last round is sent (after `burstLength`).
    /// A round that fails for one address still sends the others, then the first error is thrown.
    /// Cancellation stops the burst between rounds (CancellationError).
    public func burst(_ addresses: [IPAddress]) async throws {
        guard !addresses.isEmpty else { return }
        let info = try arp.interface(named: interface)
        let clock = ContinuousClock()
        let start = clock.now
        for round in 0..<settings.count {
            if round > 0 {
                try await clock.sleep(until: start + settings.spacing * round, tolerance: .zero)
            }
            try announce(addresses, on: info)
        }
    }

    /// One round now: one announcement per address (for callers with their own schedule).
    public func announceOnce(_ addresses: [IPAddress]) throws(AnnounceError) {
        guard !addresses.isEmpty else { return }
        try announce(addresses, on: try arp.interface(named: interface))
    }

    private func announce(_ addresses: [IPAddress], on info: InterfaceInfo) throws(AnnounceError) {
        var firstError: AnnounceError?
        for address in addresses {
            do throws(AnnounceError) {
                switch address {
                case .v4:
                    try arp.send(address, on: info, form: settings.arpForm)
                case .v6:
                    guard let neighborAdvertisement else {
                        throw .ipv6Unavailable(interface: info.name, address: address)
                    }
                    try neighborAdvertisement.send(address, on: info)
                }
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
    }
}

