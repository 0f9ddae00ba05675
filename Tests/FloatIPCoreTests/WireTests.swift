import Testing

/// The parent of the wire-format suites (codec, replay window), so `swift test --filter Wire` runs them all.
@Suite enum WireTests {}
