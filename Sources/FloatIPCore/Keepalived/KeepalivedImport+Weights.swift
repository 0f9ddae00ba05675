extension KeepalivedImport {
    /// The weight of a `track_script` or `track_interface` line (`NAME [weight W]`) as keepalived 2.2.7
    /// reads it (vrrp_track.c): W is a whole number in −254…254, ±254 runs as ±253, anything else is
    /// ignored for `fallback` (the vrrp_script's own weight; 0 for an interface). nil: keepalived drops
    /// the line (an option other than `weight`, or `weight` without a value). Each change is noted.
    mutating func trackedWeight(_ tracked: KeepalivedStatement, kind: String, fallback: Int) -> Int? {
        guard let option = tracked.arguments.first else { return fallback }
        let what = "\(kind) \(tracked.keyword)"
        guard option == "weight" else {
            note(tracked, "\(what): unknown option `\(option)`: keepalived ignores the line; not tracked")
            return nil
        }
        guard tracked.arguments.count >= 2 else {
            note(tracked, "\(what): weight without a value: keepalived ignores the line; not tracked")
            return nil
        }
        let text = tracked.arguments[1]
        guard let weight = Int(text), (-254...254).contains(weight) else {
            note(tracked, "\(what) weight \(text): keepalived takes −253…253 only and runs \(fallback == 0 ? "weight 0" : "the vrrp_script's weight \(fallback)") instead")
            return fallback
        }
        guard abs(weight) != 254 else {
            note(tracked, "\(what) weight \(weight): keepalived runs it as \(weight.signum() * 253)")
            return weight.signum() * 253
        }
        return weight
    }

    /// A positive weight as it counts at base priority `priority`: keepalived adds it while the check
    /// passes but its priority stops at 254, so one check raises it by at most 254 − `priority`
    /// (floatip then starts that much higher and subtracts the same while the check fails). 0: it
    /// changes nothing (priority 254).
    mutating func cappedWeight(_ weight: Int, priority: Int, kind: String, _ tracked: KeepalivedStatement) -> Int {
        guard weight > 254 - priority else { return weight }
        let capped = max(0, 254 - priority)
        note(tracked, "\(kind) \(tracked.keyword) weight \(weight) at priority \(priority): keepalived's priority stops at 254, so it "
            + (capped == 0 ? "changes nothing; not tracked" : "counts as \(capped)"))
        return capped
    }
}
