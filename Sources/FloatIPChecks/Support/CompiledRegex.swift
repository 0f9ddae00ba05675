import Foundation

/// A regular expression compiled once (when the probe is made) and matched at every run.
///
/// `NSRegularExpression` is immutable once made, and matching does not change it, so it is safe to share
/// across tasks; swift-corelibs-foundation does not mark it `Sendable`, hence the unchecked conformance.
struct CompiledRegex: @unchecked Sendable {
    let expression: NSRegularExpression

    /// Compiles `pattern`; throws when it does not compile.
    init(pattern: String) throws {
        expression = try NSRegularExpression(pattern: pattern)
    }

    /// Whether `text` contains a match.
    func matches(_ text: String) -> Bool {
        expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
