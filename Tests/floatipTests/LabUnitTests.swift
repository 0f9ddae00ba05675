import FloatIPCore
@testable import FloatIPLab
import Testing

/// The lab's pure parts: names, generated configs, the wire format and the outage arithmetic.
struct LabUnitTests {
    @Test func namesAreCheckedAndBecomeExactNamespaceNames() throws {
        #expect(LabLayout.isValidName("lab"))
        #expect(LabLayout.isValidName("demo-1234"))
        for bad in ["", "-x", "Lab", "a b", "a/b", String(repeating: "a", count: 21)] {
            #expect(!LabLayout.isValidName(bad), "\(bad)")
        }
        #expect(throws: LabError.badNodeCount(6)) { try LabLayout(name: "x", nodes: 6) }
        let layout = try LabLayout(name: "t1", nodes: 3)
        #expect(layout.namespace(node: 2) == "floatip-t1-web2")
        #expect(layout.allNamespaces.count == 7, "switch, client and web1…web5 whatever the node count")
        #expect(!layout.allNamespaces.contains { $0.hasPrefix("floatip-t1-2") })
    }

    @Test func everyGeneratedConfigIsValid() throws {
        let layout = try LabLayout(name: "cfg", nodes: 3)
        for node in 1...3 {
            let config = try ConfigParser.parse(yaml: layout.config(node: node), file: "web\(node).yaml").get()
            #expect(config.node.name == "web\(node)")
            #expect(config.peers.count == 2)
            #expect(config.timers.preemptDelay == .seconds(2))
            #expect(config.groups.first?.priority == 210 - node * 10)
            #expect(config.checks.map(\.target) == [layout.serviceFile(node: node), "eth0"])
        }
    }

    @Test func requestsAndAnswersRoundTrip() throws {
        let request = LabWire.request(0x0102_0304_0506_0708)
        #expect(request == [1, 2, 3, 4, 5, 6, 7, 8])
        let answer = try #require(LabWire.answer(to: request[...], node: "web2"))
        let parsed = try #require(LabWire.parseAnswer(answer[...]))
        #expect(parsed.sequence == 0x0102_0304_0506_0708 && parsed.node == "web2")
        #expect(LabWire.answer(to: [1, 2, 3][...], node: "web1") == nil)
        #expect(LabWire.parseAnswer(request[...]) == nil)
    }

    @Test func theOutageIsTheLongestGapBetweenAnswersAndCountsFailedRequests() {
        let zero = ContinuousClock().now
        func at(_ milliseconds: Int) -> ContinuousClock.Instant { zero + .milliseconds(milliseconds) }
        // Every 5 ms; web1 answers up to 100 ms, nothing until web2 from 400 ms on.
        let requests = stride(from: 0, to: 600, by: 5).map { sent -> LabProbeRecord.Request in
            var request = LabProbeRecord.Request(sent: at(sent))
            if sent <= 100 || sent >= 400 {
                request.answered = at(sent + 1)
                request.node = sent <= 100 ? "web1" : "web2"
            }
            return request
        }
        let record = LabProbeRecord(requests: requests, timeout: .milliseconds(100))
        let takeover = record.firstAnswer(from: "web2", after: at(102))
        #expect(takeover == at(401))
        let outage = record.outage(from: at(102), to: at(401))
        #expect(outage.longestGap == .milliseconds(300))
        #expect(outage.failedRequests == 59, "sent at 105, 110, …, 395")
        #expect(record.totals.failed == 59)
    }
}
