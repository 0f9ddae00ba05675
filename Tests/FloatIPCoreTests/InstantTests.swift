import Testing
@testable import FloatIPCore

@Suite struct InstantTests {
    @Test func arithmetic() {
        let start = Instant(nanoseconds: 1_000)
        #expect((start + .milliseconds(2)).nanoseconds == 2_001_000)
        #expect((start + .milliseconds(2)) - start == .milliseconds(2))
    }

    @Test func shortDescription() {
        #expect(Duration.milliseconds(312).shortDescription == "312 ms")
        #expect(Duration.milliseconds(1500).shortDescription == "1.5 s")
        #expect(Duration.microseconds(40).shortDescription == "40 µs")
    }

    @Test func rankOrdersByPriorityThenName() {
        #expect(Rank(priority: 100, node: "a") < Rank(priority: 200, node: "b"))
        #expect(Rank(priority: 100, node: "b") < Rank(priority: 100, node: "a"))
    }
}
