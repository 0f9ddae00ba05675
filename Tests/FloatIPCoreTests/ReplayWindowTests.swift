import FloatIPSimulator
import Testing
@testable import FloatIPCore

extension WireTests {
    @Suite struct ReplayWindowTests {
        static let grace = Duration.seconds(5)
        static let boot: UInt64 = 1_767_225_600_000

        /// Feeds one datagram of `boot` at `seconds` on the timeline.
        private func feed(
            _ window: inout ReplayWindow, _ sequence: UInt64, boot: UInt64 = ReplayWindowTests.boot,
            at seconds: Double = 0
        ) -> ReplayVerdict {
            let now = Instant(nanoseconds: Int64(seconds * 1e9))
            return window.accept(bootID: boot, sequence: sequence, now: now, staleBootGrace: Self.grace)
        }

        @Test func inOrderSequencesAreAccepted() {
            var window = ReplayWindow()
            #expect(window.bootID == nil)
            for sequence in UInt64(1)...200 {
                #expect(feed(&window, sequence) == .accepted)
            }
            #expect(window.bootID == Self.boot)
            #expect(window.highestSequence == 200)
        }

        @Test func reorderedWithinTheWindowIsAcceptedOnce() {
            var window = ReplayWindow()
            #expect(feed(&window, 100) == .accepted)
            #expect(feed(&window, 99) == .accepted)
            #expect(feed(&window, 50) == .accepted)
            #expect(feed(&window, 37) == .accepted)  // 63 below the highest: the window's last slot
            #expect(feed(&window, 36) == .tooOld)  // 64 below: outside
            #expect(feed(&window, 99) == .replayed)
            #expect(feed(&window, 37) == .replayed)
            #expect(window.highestSequence == 100)
        }

        @Test func duplicatesAreReplays() {
            var window = ReplayWindow()
            #expect(feed(&window, 5) == .accepted)
            #expect(feed(&window, 5) == .replayed)
            #expect(feed(&window, 10) == .accepted)  // slides by 5: 5 is still remembered
            #expect(feed(&window, 5) == .replayed)
            #expect(feed(&window, 10) == .replayed)
            #expect(feed(&window, 7) == .accepted)
        }

        @Test func belowTheWindowIsTooOld() {
            var window = ReplayWindow()
            #expect(feed(&window, 1_000) == .accepted)
            #expect(feed(&window, 900) == .tooOld)
            #expect(feed(&window, 1) == .tooOld)
            #expect(feed(&window, 0) == .tooOld)  // sequences start at 1
            #expect(feed(&window, 937) == .accepted)
        }

        @Test func largeJumpsSlideTheWholeWindow() {
            var window = ReplayWindow()
            #expect(feed(&window, 1) == .accepted)
            #expect(feed(&window, 1_000_000) == .accepted)
            #expect(feed(&window, 999_999) == .accepted)
            #expect(feed(&window, 1) == .tooOld)
            #expect(feed(&window, .max) == .accepted)
            #expect(feed(&window, .max - 63) == .accepted)
            #expect(feed(&window, .max) == .replayed)
            #expect(feed(&window, 999_999) == .tooOld)
        }

        @Test func sequenceZeroNeverStartsAWindow() {
            var window = ReplayWindow()
            #expect(feed(&window, 0) == .tooOld)
            #expect(window == ReplayWindow())
        }

        @Test func rejectionsLeaveTheStateUnchanged() {
            var window = ReplayWindow()
            _ = feed(&window, 500, at: 1)
            let before = window
            #expect(feed(&window, 500, at: 2) == .replayed)
            #expect(feed(&window, 400, at: 2) == .tooOld)
            #expect(feed(&window, 9, boot: Self.boot - 1, at: 2) == .staleBoot)
            #expect(window == before)
        }

        @Test func higherBootIdIsARestart() {
            var window = ReplayWindow()
            #expect(feed(&window, 500) == .accepted)
            #expect(feed(&window, 1, boot: Self.boot + 1) == .newBoot)
            #expect(window.bootID == Self.boot + 1)
            #expect(feed(&window, 2, boot: Self.boot + 1) == .accepted)
            #expect(feed(&window, 1, boot: Self.boot + 1) == .replayed)
            #expect(feed(&window, 501) == .staleBoot)  // the old boot's datagrams, delayed
        }

        @Test func lowerBootIdIsRejectedUntilTheCurrentBootIsSilentForTheGrace() {
            var window = ReplayWindow()
            #expect(feed(&window, 1, at: 0) == .accepted)
            #expect(feed(&window, 1, boot: Self.boot - 1_000, at: 1) == .staleBoot)
            #expect(feed(&window, 2, at: 3) == .accepted)  // the current boot is alive: the grace restarts
            #expect(feed(&window, 1, boot: Self.boot - 1_000, at: 7.9) == .staleBoot)  // 4.9 s of silence
            #expect(feed(&window, 2, boot: Self.boot - 1_000, at: 8) == .newBoot)  // 5 s: clock stepped back
            #expect(window.bootID == Self.boot - 1_000)
            #expect(feed(&window, 3, boot: Self.boot - 1_000, at: 8.1) == .accepted)
            #expect(feed(&window, 2, boot: Self.boot - 1_000, at: 8.2) == .replayed)
            #expect(feed(&window, 3, at: 8.3) == .newBoot)  // a higher boot id always wins at once
        }

        @Test func verdictsMapToRejectionReasons() {
            #expect(ReplayVerdict.accepted.isAccepted && ReplayVerdict.newBoot.isAccepted)
            #expect(ReplayVerdict.accepted.rejection == nil)
            #expect(ReplayVerdict.replayed.rejection?.reason == "replay")
            #expect(ReplayVerdict.tooOld.rejection?.reason == "too_old")
            #expect(ReplayVerdict.staleBoot.rejection?.reason == "stale_boot")
        }

        /// The bitmap against a plain model (every accepted number in a set) on a long random stream
        /// of in-order, reordered, duplicated and very late sequence numbers.
        @Test func matchesASetModelOnRandomStreams() {
            var rng = SplitMix64(seed: 0x0E_1A_7E)
            var window = ReplayWindow()
            var accepted = Set<UInt64>()
            var highest: UInt64 = 0
            for _ in 0..<20_000 {
                let sequence: UInt64 =
                    switch Int.random(in: 0..<10, using: &rng) {
                    case 0...4: highest + UInt64.random(in: 1...3, using: &rng)
                    case 5...7: max(1, highest - min(highest, UInt64.random(in: 0...70, using: &rng)))
                    case 8: highest + UInt64.random(in: 60...70, using: &rng)
                    default: UInt64.random(in: 1...max(1, highest), using: &rng)
                    }
                let expected: ReplayVerdict =
                    if sequence > highest { .accepted }
                    else if highest - sequence >= 64 { .tooOld }
                    else if accepted.contains(sequence) { .replayed }
                    else { .accepted }
                #expect(feed(&window, sequence) == expected)
                if expected == .accepted {
                    accepted.insert(sequence)
                    highest = max(highest, sequence)
                }
            }
        }
    }
}
