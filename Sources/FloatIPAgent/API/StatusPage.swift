/// `GET /`: the agent's status as one small, self-contained HTML page for people: every group
/// (role, holder, reason), the peers (state, last heard), the checks, and the last role changes
/// as a timeline. Rendered on the server from the same snapshot as `GET /v1/status`; no
/// JavaScript, no external assets (the API sends a Content-Security-Policy that forbids both);
/// it reloads itself every `refreshSeconds`. Every value from the agent is HTML-escaped.
public enum StatusPage {
    /// How often the page reloads itself (`<meta http-equiv="refresh">`).
    public static let refreshSeconds = 2
    /// The `Content-Type` of the page.
    public static let contentType = "text/html; charset=utf-8"
    /// Allows the inline style sheet and nothing else: no scripts, images, frames or fetches.
    public static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

    /// The whole page for `status`.
    public static func render(_ status: AgentStatus) -> String {
        let title = "floatip \(status.node) (\(status.cluster))"
        var body = "<header><h1>\(escape(title))</h1><p class=\"sub\">"
        body += status.maintenance ? "<span class=\"role maintenance\">node in maintenance</span> " : ""
        body += status.uptimeMs.map { "up \(escape(AgentStatus.age($0))) · " } ?? ""
        body += status.build.map { escape($0.line) } ?? "floatip"
        body += "</p></header>\n"
        body += groups(status) + peers(status) + checks(status) + tracking(status) + timeline(status) + counters(status)
        body += "<footer>Reloads every \(refreshSeconds) s. Machine-readable: <a href=\"/v1/status\">/v1/status</a> · "
        body += "<a href=\"/metrics\">/metrics</a></footer>\n"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="\(refreshSeconds)">
            <title>\(escape(title))</title>
            <style>\(style)</style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    static func groups(_ status: AgentStatus) -> String {
        let rows = status.groups.map { group in
            let reason = group.reason + (group.handoverTo.map { " (handing over to \($0))" } ?? "")
            let role = badge(group.role) + (group.maintenance && group.role != "maintenance" ? " (maintenance set)" : "")
            return [
                escape(group.name), role, escape(group.holder ?? "none"), "\(group.term)", "\(group.priority)",
                escape(reason),
            ]
        }
        return section("Groups", table(["group", "role", "holder", "term", "priority", "reason"], rows, empty: "no groups"))
    }

    static func peers(_ status: AgentStatus) -> String {
        let rows = status.peers.map { peer in
            [
                escape(peer.name), escape(peer.address),
                badge(peer.state) + (peer.quietEveryMs.map { " (quiet: every " + escape(AgentStatus.age($0)) + ")" } ?? "")
                    + (peer.timerMismatch ? " (timers differ)" : ""),
                peer.lastHeardMs.map { escape(AgentStatus.age($0)) + " ago" } ?? "never",
            ]
        }
        return section("Peers", table(["peer", "address", "state", "last heard"], rows, empty: "no peers configured"))
    }

    static func checks(_ status: AgentStatus) -> String {
        let rows = status.checks.map { check in
            [escape(check.name), escape(check.kind), badge(check.state), check.required ? "yes" : "no", escape(check.detail)]
        }
        return section("Checks", table(["check", "kind", "state", "required", "detail"], rows, empty: "no checks configured"))
    }

    /// `track:`: the verdict and each target's last answer (nothing without `track:`).
    static func tracking(_ status: AgentStatus) -> String {
        guard let tracking = status.tracking else { return "" }
        let rows = tracking.targets.map { target in
            [escape(target.target), escape(target.kind),
             badge(target.reachable.map { $0 ? "passing" : "failing" } ?? "unknown"), escape(target.detail)]
        }
        return section("Tracking: " + tracking.verdict,
                       table(["target", "kind", "answers", "detail"], rows, empty: "no targets"))
    }

    /// The last role changes, newest first, each at its time since start and how long ago.
    static func timeline(_ status: AgentStatus) -> String {
        guard !status.transitions.isEmpty else { return section("Transitions", "<p class=\"empty\">no role changes yet</p>") }
        var list = "<ol class=\"timeline\">"
        for transition in status.transitions.reversed() {
            let ago = status.uptimeMs.map { " · " + escape(AgentStatus.age(max(0, $0 - transition.atMs))) + " ago" } ?? ""
            list += "<li><span class=\"when\">+\(escape(AgentStatus.age(transition.atMs)))\(ago)</span> "
            list += "<b>\(escape(transition.group))</b> \(badge(transition.from)) → \(badge(transition.to))"
            list += "<div class=\"reason\">\(escape(transition.reason))</div></li>"
        }
        return section("Transitions", list + "</ol>")
    }

    static func counters(_ status: AgentStatus) -> String {
        let counters = status.counters
        let rejected = counters.rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        let text = "heartbeats \(counters.sent) sent, \(counters.received) received; rejected: "
            + (rejected.isEmpty ? "none" : rejected.joined(separator: ", ")) + "; transitions \(counters.transitions)"
        return section("Counters", "<p>\(escape(text))</p>")
    }

    // MARK: Pieces

    static func section(_ title: String, _ content: String) -> String {
        "<section><h2>\(escape(title))</h2>\(content)</section>\n"
    }

    /// A table of cells that are already HTML.
    static func table(_ header: [String], _ rows: [[String]], empty: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(escape(empty))</p>" }
        let head = header.map { "<th>\(escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    /// A role or state as a coloured label; the class is the word itself when it is a known one.
    static func badge(_ word: String) -> String {
        let kind = badgeClasses.contains(word) ? word : "other"
        return "<span class=\"role \(kind)\">\(escape(word))</span>"
    }

    /// The words the style sheet colours: roles, peer states, check states.
    static let badgeClasses: Set = [
        "holder", "standby", "fault", "maintenance", "starting", "alive", "dead", "never", "passing", "failing", "unknown",
    ]

    /// `text` safe in HTML element content and in quoted attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static let style = """
        body{font:15px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:64rem;padding:1rem;\
        color:#1d2330;background:#f6f7f9}
        h1{font-size:1.4rem;margin:0}h2{font-size:1.05rem;margin:1.4rem 0 .4rem;color:#44506a}
        .sub{margin:.2rem 0 0;color:#5b6478;font-size:.9rem}
        table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e8}
        th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #eceef2;vertical-align:top}
        th{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:#5b6478;background:#fafbfc}
        .role{display:inline-block;padding:0 .45rem;border-radius:.6rem;font-size:.85rem;font-weight:600;\
        background:#e4e7ee;color:#333}
        .holder,.alive,.passing{background:#d3f2dc;color:#11612c}.standby{background:#dde8fb;color:#1c4a94}
        .fault,.dead,.failing{background:#fbdcdc;color:#8f1a1a}.maintenance{background:#fdf0cf;color:#7a5200}
        .starting,.never,.unknown{background:#eceef2;color:#555}
        .timeline{list-style:none;padding:0 0 0 1rem;margin:0;border-left:3px solid #c9cfdb}
        .timeline li{position:relative;margin:0 0 .7rem;padding-left:.6rem}
        .timeline li:before{content:"";position:absolute;left:-1.52rem;top:.35rem;width:.7rem;height:.7rem;\
        border-radius:50%;background:#5b7bd5}
        .when{color:#5b6478;font-size:.85rem;font-variant-numeric:tabular-nums}.reason{color:#3a4254}
        .empty{color:#5b6478;font-style:italic}footer{margin-top:1.6rem;color:#5b6478;font-size:.85rem}
        """
}
