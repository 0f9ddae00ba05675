// The commit and build date compiled into this binary. In git they stay `unknown`:
// scripts/stamp-build-info rewrites this file for a release build and `--restore` puts it back.
enum BuildStamp {
    static let commit = "unknown"
    static let date = "unknown"
}
