import Testing
@testable import FloatIPCore

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("20ms", Duration.milliseconds(20)), ("1.5s", .milliseconds(1500)), ("500us", .microseconds(500)),
        ("500µs", .microseconds(500)), ("2m", .seconds(120)), ("1h", .seconds(3600)), ("30s", .seconds(30)),
        ("250ns", .nanoseconds(250)), ("0.5ms", .microseconds(500)), ("10 s", .seconds(10)), ("-1s", .seconds(-1)),
        ("0s", .zero),
    ])
    func parses(text: String, expected: Duration) throws {
        #expect(try DurationText.parse(text).get() == expected)
    }

    @Test func bareNumberSaysUnitsAreRequired() {
        let result = DurationText.parse("20")
        #expect(result == .failure(.missingUnit("20")))
        if case .failure(let error) = result { #expect(error.description.contains("units are required")) }
    }

    @Test(arguments: ["", "ms", "1..5s", "1.s", ".5s", "abc", "1.5 xs", "20 m s"])
    func rejectsMalformed(text: String) {
        #expect(throws: DurationText.ParseError.self) { try DurationText.parse(text).get() }
    }

    @Test func rejectsUnknownUnitAndSubNanosecond() {
        #expect(DurationText.parse("5d") == .failure(.unknownUnit("d")))
        #expect(DurationText.parse("1.5ns") == .failure(.outOfRange("1.5ns")))
        #expect(DurationText.parse("99999999999h") == .failure(.outOfRange("99999999999h")))
    }

    @Test(arguments: [
        (Duration.milliseconds(20), "20ms"), (.milliseconds(1500), "1500ms"), (.seconds(10), "10s"),
        (.seconds(120), "2m"), (.seconds(3600), "1h"), (.microseconds(500), "500us"), (.nanoseconds(7), "7ns"),
        (.zero, "0s"),
    ])
    func formatsAndRoundTrips(duration: Duration, text: String) throws {
        #expect(DurationText.format(duration) == text)
        #expect(try DurationText.parse(text).get() == duration)
    }
}
