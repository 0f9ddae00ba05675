import Testing
@testable import FloatIPCore

@Suite struct HysteresisTests {
    /// Feeds results in order; returns, for each, whether the state changed.
    func feed(_ check: inout Hysteresis, _ results: [Bool]) -> [Bool] {
        results.map { check.record(passed: $0) }
    }

    @Test func firstResultSetsStateAtOnce() {
        var passing = Hysteresis(rise: 3, fall: 3)
        #expect(passing.state == .unknown)
        #expect(feed(&passing, [true]) == [true])
        #expect(passing.state == .passing)
        var failing = Hysteresis(rise: 3, fall: 3)
        #expect(feed(&failing, [false]) == [true])
        #expect(failing.state == .failing)
    }

    @Test func fallNeedsFailuresInARowAndRiseNeedsPasses() {
        var check = Hysteresis(rise: 2, fall: 3)
        // pass; two fails; a pass breaks the run; three fails turn it failing; two passes turn it back.
        let changes = feed(&check, [true, false, false, true, false, false, false])
        #expect(changes == [true, false, false, false, false, false, true])
        #expect(check.state == .failing)
        #expect(feed(&check, [true, true]) == [false, true])
        #expect(check.state == .passing)
    }
}

@Suite struct HealthSummaryTests {
    let group = GroupConfig(name: "web", addresses: [], interface: "eth0", priority: 100, checks: nil)

    @Test func requiredFailingCheckMakesNodeUnhealthy() {
        let nginx = CheckConfig(name: "nginx", kind: .http, target: "http://127.0.0.1/")
        let condition = HealthSummary.condition(
            for: group, checks: [CheckState(config: nginx, state: .failing, detail: "HTTP 503")], maintenance: false)
        #expect(!condition.healthy)
        #expect(condition.faultReason == "required check nginx failing: HTTP 503")
    }

    @Test func requiredCheckWithoutResultKeepsNodeFromClaiming() {
        let nginx = CheckConfig(name: "nginx", kind: .http, target: "http://127.0.0.1/")
        let condition = HealthSummary.condition(for: group, checks: [CheckState(config: nginx, state: .unknown)], maintenance: false)
        #expect(condition.faultReason == "required check nginx has not reported yet")
    }

    @Test func failingWeightAdjustsPriorityWithinBounds() {
        let load = CheckConfig(name: "load", kind: .command, target: "/bin/false", effect: .weight(-150))
        let condition = HealthSummary.condition(for: group, checks: [CheckState(config: load, state: .failing)], maintenance: true)
        #expect(condition.healthy)
        #expect(condition.priority == 0)
        #expect(condition.maintenance)
    }

    @Test func groupOnlyUsesItsOwnChecks() {
        var scoped = group
        scoped.checks = ["other"]
        let nginx = CheckConfig(name: "nginx", kind: .http, target: "http://127.0.0.1/")
        let condition = HealthSummary.condition(for: scoped, checks: [CheckState(config: nginx, state: .failing)], maintenance: false)
        #expect(condition.healthy)
    }
}
