import ArgumentParser
import FloatIPCore

/// Parses a command-line duration (`20s`, `500ms`, `1m`) with the config file's syntax.
func parseDuration(_ text: String) throws -> Duration {
    switch DurationText.parse(text) {
    case .success(let duration): return duration
    case .failure(let error): throw ValidationError("'\(text)': \(error)")
    }
}
