import ArgumentParser
import FloatIPCore

/// Parses a command-line duration (`20s`, `500ms`, `1m`) with the config's duration syntax.
func parseDuration(_ text: String) throws -> Duration {
    let units: [(String, Duration)] = [("ms", .milliseconds(1)), ("s", .seconds(1)), ("m", .seconds(60)), ("h", .seconds(3600))]
    for (unit, scale) in units where text.hasSuffix(unit) {
        if let value = Double(text.dropLast(unit.count)), value >= 0 { return scale * value }
    }
    throw ValidationError("'\(text)' is not a duration: write a number and a unit, e.g. 20s, 500ms, 2m")
}
