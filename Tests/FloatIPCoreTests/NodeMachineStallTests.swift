import Testing

@testable import FloatIPCore

/// Rule 8 (docs/decision.md): a node back from a stall (SIGSTOP, a paused VM) treats its view as
/// stale. Two nodes at 20 ms × 15 (dead after 300 ms), preempt_delay 1 s; the shell of a stalled node
/// gives it no input until it resumes, then everything that arrived meanwhile at once.
@Suite struct NodeMachineStallTests {
    let base = NodeMachineTests()
    let step = Duration.milliseconds(20)

    func pair() -> (web1: NodeMachine, web2: NodeMachine) {
        (NodeMachine(config: base.config("web1", peer: "web2", priority: 200), secret: NodeMachineTests.secret,
                     bootID: 1_000, now: .zero),
         NodeMachine(config: base.config("web2", peer: "web1", priority: 100), secret: NodeMachineTests.secret,
                     bootID: 1_000, now: .zero))
    }

    /// Ticks one node, completes its claims at once, and returns its heartbeat, if any.
    func tick(_ node: inout NodeMachine, _ now: Instant) -> (datagram: [UInt8]?, output: NodeOutput) {
        let output = node.tick(now: now)
        finishClaims(&node, output, now)
        return (output.datagram, output)
    }

    func finishClaims(_ node: inout NodeMachine, _ output: NodeOutput, _ now: Instant) {
        for case .claim(let epoch) in output.actions.map(\.intent) {
            _ = node.claimFinished(group: "web", epoch: epoch, error: nil, now: now)
        }
    }

    /// Delivers `datagram` to `to`, and its answers (a heartbeat sent in step) back, and so on (bounded).
    func deliver(_ datagram: [UInt8]?, to: inout NodeMachine, from: inout NodeMachine, _ now: Instant) {
        var next = datagram
        var forward = true
        for _ in 0..<4 {
            guard let datagram = next else { return }
            let output = forward ? to.receive(datagram, now: now) : from.receive(datagram, now: now)
            if forward { finishClaims(&to, output, now) } else { finishClaims(&from, output, now) }
            next = output.datagram
            forward.toggle()
        }
    }

    /// Both running, every datagram delivered at once, for `duration`.
    func together(_ web1: inout NodeMachine, _ web2: inout NodeMachine, _ now: inout Instant, for duration: Duration) {
        let end = now + duration
        while now < end {
            deliver(tick(&web1, now).datagram, to: &web2, from: &web1, now)
            deliver(tick(&web2, now).datagram, to: &web1, from: &web2, now)
            now = now + step
        }
    }

    /// `stalled` gets no input for `duration`; what `running` sends meanwhile is returned (queued).
    func stall(_ stalled: NodeMachine, _ running: inout NodeMachine, _ now: inout Instant, for duration: Duration)
        -> [[UInt8]]
    {
        var queued: [[UInt8]] = []
        let end = now + duration
        while now < end {
            if let datagram = tick(&running, now).datagram { queued.append(datagram) }
            now = now + step
        }
        return queued
    }

    @Test func aHolderBackFromAStallYieldsToThePeerThatClaimedAndFailsBackOnlyAfterPreemptDelay() throws {
        var (web1, web2) = pair()
        var now = Instant.zero
        together(&web1, &web2, &now, for: .seconds(1))
        #expect(web1.engine("web")?.role == .holder && web1.engine("web")?.active == true)
        let oldTerm = try #require(web1.engine("web")?.term)

        let queued = stall(web1, &web2, &now, for: .seconds(2))
        #expect(web2.engine("web")?.role == .holder, "web2 took over while web1 was stalled")
        #expect((web2.engine("web")?.term ?? 0) > oldTerm)

        // web1 resumes: its timer fires first. It notices the stall and says "claiming", not "holds".
        let resumedAt = now
        let (heartbeat, output) = tick(&web1, now)
        let stall = try #require(output.stall, "the stall is reported to the shell")
        #expect(stall >= .seconds(2) && stall <= .seconds(2) + step)
        #expect(web1.counters.stalls == 1)
        #expect(web1.engine("web")?.role == .holder)
        #expect(web1.engine("web")?.advert(local: web1.condition("web")).active == false)
        // web2 hears it and keeps the group (rule 5 waits for an active winner).
        _ = web2.receive(try #require(heartbeat), now: now)
        var transitions: [Transition] = []
        #expect(web2.engine("web")?.role == .holder, "\(web2.engine("web")?.reason ?? "")")

        // Then web1 reads what web2 sent while it was stopped: a claim with a newer term. It releases.
        var released = false
        var web2Announced = false
        for datagram in queued {
            let out = web1.receive(datagram, now: now)
            transitions += out.transitions
            // web1's announcements may have pointed clients at it as it resumed: once it gives up,
            // web2 announces again (rule 5: the set of other holders it sees changed).
            if let answer = out.datagram {
                web2Announced = web2Announced
                    || web2.receive(answer, now: now).actions.contains { $0.intent == .announce }
            }
            released = released || out.actions.contains { if case .release = $0.intent { true } else { false } }
        }
        #expect(released)
        #expect(web2Announced, "web2 announces once web1 has released")
        #expect(web1.engine("web")?.role == .standby)
        let release = try #require(transitions.first { $0.from == .holder && $0.to == .standby })
        #expect(release.reason.hasPrefix("stalled for 2"), "\(release.reason)")
        #expect(release.reason.hasSuffix("while web2 claimed the group (term 2, mine 1); released"), "\(release.reason)")

        // It takes the group back by the failback rule: after preempt_delay from the resume, make-before-break.
        var web1ClaimedAt: Instant?
        let end = now + .seconds(3)
        while now < end {
            let out1 = web1.tick(now: now)
            if web1ClaimedAt == nil, out1.actions.contains(where: { if case .claim = $0.intent { true } else { false } }) {
                web1ClaimedAt = now
                #expect(web2.engine("web")?.role == .holder, "web2 still holds when web1 claims (make-before-break)")
            }
            finishClaims(&web1, out1, now)
            deliver(out1.datagram, to: &web2, from: &web1, now)
            deliver(tick(&web2, now).datagram, to: &web1, from: &web2, now)
            now = now + step
        }
        let claimed = try #require(web1ClaimedAt)
        #expect(claimed - resumedAt >= NodeMachineTests.timers.preemptDelay)
        #expect(claimed - resumedAt < NodeMachineTests.timers.preemptDelay + .milliseconds(100))
        #expect(web1.engine("web")?.role == .holder && web2.engine("web")?.role == .standby)
    }

    @Test func aStandbyBackFromAStallDoesNotClaimOverTheHolderItCouldNotHear() throws {
        var (web1, web2) = pair()
        var now = Instant.zero
        together(&web1, &web2, &now, for: .seconds(1))
        #expect(web2.engine("web")?.role == .standby)

        // web1 (the holder) goes on; web2 is stalled for 2 s, so on resume web1 looks silent for 2 s.
        let queued = stall(web2, &web1, &now, for: .seconds(2))
        let (_, output) = tick(&web2, now)
        #expect(output.stall != nil)
        #expect(!output.actions.contains { if case .claim = $0.intent { true } else { false } })
        #expect(web2.engine("web")?.role == .standby)
        #expect(web2.engine("web")?.reason.hasPrefix("resumed after a stall of 2") == true, "\(web2.engine("web")?.reason ?? "")")
        for datagram in queued { _ = web2.receive(datagram, now: now) }
        together(&web1, &web2, &now, for: .seconds(1))
        #expect(web1.engine("web")?.role == .holder && web2.engine("web")?.role == .standby)
    }

    @Test func aStalledStandbyStillClaimsAfterListeningWhenTheHolderIsReallyGone() throws {
        var (web1, web2) = pair()
        var now = Instant.zero
        together(&web1, &web2, &now, for: .seconds(1))
        // web2 stalls while web1 dies: on resume, web2 listens one dead interval, then takes over.
        now = now + .seconds(2)
        let resumedAt = now
        var claimedAt: Instant?
        while now < resumedAt + .seconds(1), claimedAt == nil {
            let (_, output) = tick(&web2, now)
            if output.actions.contains(where: { if case .claim = $0.intent { true } else { false } }) { claimedAt = now }
            now = now + step
        }
        let claimed = try #require(claimedAt)
        #expect(claimed - resumedAt >= NodeMachineTests.timers.deadInterval)
        #expect(claimed - resumedAt <= NodeMachineTests.timers.deadInterval + step)
    }

    @Test func aLateWakeUpShorterThanHalfADeadIntervalIsNoStall() {
        var (web1, web2) = pair()
        var now = Instant.zero
        together(&web1, &web2, &now, for: .seconds(1))
        // The next heartbeat was due within 20 ms; 140 ms late is less than 150 ms (half of 300 ms).
        now = now + .milliseconds(140)
        #expect(web1.tick(now: now).stall == nil)
        #expect(web1.counters.stalls == 0)
    }
}
