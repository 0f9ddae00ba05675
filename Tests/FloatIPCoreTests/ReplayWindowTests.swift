import FloatIPSimulator
import Testing
@testable import FloatIPCore

extension WireTests {
    @Suite struct ReplayWindowTests {
        static let boot: UInt64 = 1_767_225_600_000

        /// Feeds one datagram of `boot`.
        private func feed(
            _ window: inout ReplayWindow, _ sequence: UInt64, boot: UInt64 = ReplayWindowTests.boot
        ) -> ReplayVerdict {
            window.accept(bootID: boot, sequence: sequence)
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
            _ = feed(&window, 500)
            let before = window
            #expect(feed(&window, 500) == .replayed)
            #expect(feed(&window, 400) == .tooOld)
            #expect(feed(&window, 9, boot: Self.boot - 1) == .staleBoot)
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

        /// Boot ids only grow (`BootID.next`): a lower one is a recording, however long the current
        /// boot has been silent (the old stale-boot grace let a replay through after 60 s of silence).
        @Test func lowerBootIdIsAlwaysRejected() {
            var window = ReplayWindow()
            #expect(feed(&window, 1) == .accepted)
            for sequence in UInt64(1)...100 {
                #expect(feed(&window, sequence, boot: Self.boot - 1_000) == .staleBoot)
            }
            #expect(window.bootID == Self.boot)
            #expect(feed(&window, 2) == .accepted)
            #expect(feed(&window, 3, boot: Self.boot + 1) == .newBoot)  // a higher boot id always wins at once
        }

        /// A node that restarted remembers the highest boot id it accepted from each peer: an earlier
        /// boot's recording is refused even as the first datagram it hears.
        @Test func theFloorRefusesEarlierBootsFromTheFirstDatagram() {
            var window = ReplayWindow(floor: Self.boot)
            #expect(feed(&window, 7, boot: Self.boot - 1) == .staleBoot)
            #expect(window.bootID == nil, "a refused datagram starts nothing")
            #expect(feed(&window, 900) == .accepted, "the remembered boot itself goes on")
            var restarted = ReplayWindow(floor: Self.boot)
            #expect(feed(&restarted, 1, boot: Self.boot + 5) == .accepted)
            #expect(feed(&restarted, 2, boot: Self.boot) == .staleBoot)
        }

        @Test func bootIDsGrowEvenWhenTheClockStepsBack() {
            #expect(BootID.next(last: nil, wallMilliseconds: 1_000) == 1_000)
            #expect(BootID.next(last: 500, wallMilliseconds: 1_000) == 1_000)
            #expect(BootID.next(last: 5_000, wallMilliseconds: 1_000) == 5_001, "clock stepped back: still above")
            #expect(BootID.next(last: 1_000, wallMilliseconds: 1_000) == 1_001, "two starts in one millisecond")
            #expect(BootID.next(last: .max, wallMilliseconds: 1_000) == 1_000)
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
