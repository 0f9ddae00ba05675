import ArgumentParser
import FloatIPCore
import Foundation

/// `floatip mover claim`: put a group's addresses here and announce them; with `--hold`, keep
/// them (renewing their lifetime, restoring them if removed) until SIGINT or SIGTERM.
struct MoverClaimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Put the group's addresses on this server and announce them.",
        discussion: """
            Works for every mover kind: a cloud mover asks its provider to route the addresses here \
            (and configures them locally too when the group has an interface). For the local mover: \
            without --hold the addresses keep their kernel lifetime (address_lifetime, 3 s by \
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
        let (mover, local) = try options.mover(for: selection)
        let clock = ContinuousClock()
        let started = clock.now
        do {
            try await mover.claim(group, epoch: 1)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        say(mover.claimSummary(of: group, took: clock.now - started))
        guard let signals else { return }
        say("holding until SIGINT or SIGTERM" + (local == nil ? "" : "; lifetime \(group.addressLifetime)"))
        let keeper = Task { await local?.run() }
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

/// Prints a line and flushes at once (a held claim runs for long; its output may go to a pipe).
func say(_ line: String) {
    print(line)
    fflush(nil)
}
