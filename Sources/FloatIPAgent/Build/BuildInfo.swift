/// What this binary is: its version, the git commit it was built from, and when it was built.
///
/// `floatip version` prints it, `GET /v1/status` carries it, and `/metrics` exposes it as
/// `floatip_build_info{version,commit} 1`. The version is written here; the commit and date come
/// from `BuildStamp.swift`, which says `unknown` in git and which `scripts/stamp-build-info`
/// rewrites for the length of a release build (packaging/build-deb.sh). An ordinary `swift build`
/// of a fresh clone needs neither git nor the script.
public struct BuildInfo: Codable, Sendable, Equatable {
    /// The release, `0.1.0`.
    public var version: String
    /// The git commit (12 hex digits, `-dirty` when the tree had changes), or `unknown`.
    public var commit: String
    /// When it was built (ISO 8601, UTC), or `unknown`.
    public var date: String

    public init(version: String, commit: String, date: String) {
        self.version = version
        self.commit = commit
        self.date = date
    }

    /// The version of this source tree (the one place it is written).
    public static let version = "0.1.0"

    /// This binary's build info.
    public static let current = BuildInfo(version: version, commit: BuildStamp.commit, date: BuildStamp.date)

    /// `floatip 0.1.0 (commit 0123456789ab, built 2025-01-01T00:00:00Z)`.
    public var line: String { "floatip \(version) (commit \(commit), built \(date))" }
}
