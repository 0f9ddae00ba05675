import ArgumentParser
import FloatIPCore
import FloatIPDNS
import FloatIPLinux
import Foundation

/// `floatip mover claim`: put a group's addresses here and announce them; with `--hold`, keep
/// them (renewing their lifetime, restoring them if removed) until SIGINT or SIGTERM.
struct MoverClaimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Put the group's addresses on this server and announce them.",
        discussion: """
            Without --hold the addresses keep their kernel lifetime (address_lifetime, 3 s by \
            default) and then expire: that is the point of self-expiring addresses. With --hold the \
            command renews them, restores any that are removed, and releases them on SIGINT or \
            SIGTERM; if it is killed (SIGKILL) the kernel removes them when their lifetime ends.

            Example: floatip mover claim -c /etc/floatip/web1.yaml -g web --hold
            """
    )

    @OptionGroup var options: MoverOptions
    @Flag(help: "Keep holding until SIGINT or SIGTERM, then release.") var hold = false

    func run() async throws {
        let signals = hold ? TerminationSignal.install() : nil
        let selection = try options.load()
        let group = selection.group
        let movers = try makeMovers(selection)
        guard let mover = movers.movers[group.name] else { throw ExitCode(1) }
        let clock = ContinuousClock()
        let started = clock.now
        do {
            try await mover.claim(group, epoch: 1)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let took = clock.now - started
        if let dns = mover as? DNSMover {
            say("claimed \(group.name) in \(took.shortDescription): \(dns.status)")
        } else {
            let addresses = group.addresses.map(\.description).joined(separator: ", ")
            say("claimed \(group.name): \(addresses) on \(group.interface ?? "?") in \(took.shortDescription) (with the first announcement burst)")
        }
        guard let signals else { return }
        say("holding until SIGINT or SIGTERM" + (movers.local == nil ? "" : "; lifetime \(group.addressLifetime)"))
        let keeper = Task { await movers.local?.run() }
        let signal = await signals.wait()
        keeper.cancel()
        _ = await keeper.value
        do {
            try await mover.release(group, epoch: 1)
            say("\(signal): released \(group.name)")
        } catch {
            printError("\(signal): release failed: \(error)")
            throw ExitCode(1)
        }
    }
}

/// The mover of the selected group (and the local mover's keeper, if it is one), reporting what it
/// does on its own to standard error.
func makeMovers(_ selection: GroupSelection) throws -> MoverSet {
    do {
        return try MoverSet.make(
            for: selection.cluster.groups, node: selection.cluster.node, only: selection.group.name
        ) { printError($0) }
    } catch {
        printError("\(error)")
        throw ExitCode(1)
    }
}

/// The mover of the selected group.
func makeMover(_ selection: GroupSelection) throws -> any Mover {
    guard let mover = try makeMovers(selection).movers[selection.group.name] else { throw ExitCode(1) }
    return mover
}

/// Prints a line and flushes at once (a held claim runs for long; its output may go to a pipe).
func say(_ line: String) {
    print(line)
    fflush(nil)
}
