import FloatIPCore
import Testing

/// `KeepalivedParser`: keepalived.conf's syntax (comments, quotes, blocks however the braces are
/// placed, includes with globs) and its errors, each at FILE:LINE.
@Suite struct KeepalivedParserTests {
    /// Files by path; a pattern ending in `*.conf` matches every file of that directory ending so.
    struct Files: KeepalivedParser.Source {
        var files: [String: String]

        func files(matching pattern: String, relativeTo directory: String) throws -> [(path: String, text: String)] {
            let path = pattern.hasPrefix("/") ? pattern : directory + "/" + pattern
            if path.hasSuffix("*.conf") {
                let prefix = String(path.dropLast("*.conf".count))
                return files.keys.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".conf") && !$0.dropFirst(prefix.count).contains("/") }
                    .sorted().map { ($0, files[$0]!) }
            }
            return files[path].map { [(path, $0)] } ?? []
        }
    }

    func parse(_ text: String, files: [String: String] = [:]) throws -> [KeepalivedStatement] {
        try KeepalivedParser(source: Files(files: files)).parse(text, file: "/etc/keepalived/keepalived.conf")
    }

    /// `keyword args…` of every statement, depth first, indented by depth: the shape in one string.
    func shape(_ statements: [KeepalivedStatement], depth: Int = 0) -> [String] {
        statements.flatMap { statement in
            [String(repeating: "  ", count: depth) + ([statement.keyword] + statement.arguments).joined(separator: " ")
                + (statement.block == nil ? "" : " {")]
                + shape(statement.block ?? [], depth: depth + 1)
        }
    }

    @Test func bracesOnTheSameLineTheNextLineAndInsideALine() throws {
        let statements = try parse("""
            ! Configuration File for keepalived
            global_defs {
               router_id LVS_DEVEL   # the node
            }
            vrrp_script chk_haproxy
            {
                script "/usr/bin/killall -0 haproxy"
                interval 2
            }
            vrrp_instance VI_1 {
                state MASTER
                virtual_ipaddress { 198.18.0.100/24 dev eth0 label eth0:1 }
                track_script {
                    chk_haproxy weight -20
                }
                virtual_ipaddress_excluded {
                    2001:2::100/64
                }}
            """)
        #expect(shape(statements) == [
            "global_defs {", "  router_id LVS_DEVEL",
            "vrrp_script chk_haproxy {", "  script /usr/bin/killall -0 haproxy", "  interval 2",
            "vrrp_instance VI_1 {", "  state MASTER",
            "  virtual_ipaddress {", "    198.18.0.100/24 dev eth0 label eth0:1",
            "  track_script {", "    chk_haproxy weight -20",
            "  virtual_ipaddress_excluded {", "    2001:2::100/64",
        ])
        #expect(statements[1].child("script")?.arguments == ["/usr/bin/killall -0 haproxy"])
        #expect(statements[2].location == KeepalivedLocation(file: "/etc/keepalived/keepalived.conf", line: 10))
        #expect(statements[2].child("track_script")?.block?.first?.location.line == 14)
    }

    @Test func includesAreReadInPlaceRelativeToTheIncludingFileSortedWithTheirOwnLines() throws {
        let statements = try parse("""
            global_defs { router_id a }
            include conf.d/*.conf
            include /etc/keepalived/scripts.conf
            """, files: [
                "/etc/keepalived/conf.d/20-db.conf": "vrrp_instance db {\n  priority 90\n}\n",
                "/etc/keepalived/conf.d/10-web.conf": "vrrp_instance web {\n  include ../web-addresses.conf\n}\n",
                "/etc/keepalived/conf.d/../web-addresses.conf": "virtual_ipaddress {\n  198.18.0.1\n}\n",
                "/etc/keepalived/scripts.conf": "\n\nvrrp_script chk { script /bin/true }\n",
            ])
        #expect(shape(statements) == [
            "global_defs {", "  router_id a",
            "vrrp_instance web {", "  virtual_ipaddress {", "    198.18.0.1",
            "vrrp_instance db {", "  priority 90",
            "vrrp_script chk {", "  script /bin/true",
        ])
        #expect(statements[1].child("virtual_ipaddress")?.location
            == KeepalivedLocation(file: "/etc/keepalived/conf.d/../web-addresses.conf", line: 1))
        #expect(statements[3].location == KeepalivedLocation(file: "/etc/keepalived/scripts.conf", line: 3))
    }

    /// `'` is a plain character to keepalived 2.2.7 (its dump of `auth_pass 'ab cd'`: password `'ab`),
    /// except in a script or notify command, which it splits again with `'…'`, `"…"` and `\` escapes
    /// (its dump: `script "/bin/echo 'a b' c\x41 d\ e"` runs `/usr/bin/echo` `a b` `cA` `d` `e`;
    /// `script /bin/echo 'x y'` runs `/usr/bin/echo` alone).
    @Test func singleQuotesAreCharactersExceptInCommands() throws {
        let statements = try parse(#"""
            vrrp_script chk_q {
                script "/bin/echo 'a b' c\x41 d\ e"
            }
            vrrp_script chk_u {
                script /bin/echo 'x y'
            }
            vrrp_instance VI_Q {
                authentication {
                    auth_pass 'ab cd'
                }
                notify_master "/bin/echo 'm n' \"o\tp\"" root
                notify_backup /etc/keepalived/backup.sh
            }
            """#)
        #expect(statements[0].child("script")?.arguments == ["/bin/echo 'a b' cA d e"])
        #expect(statements[1].child("script")?.arguments == ["/bin/echo"])
        #expect(statements[2].child("authentication")?.child("auth_pass")?.arguments == ["'ab", "cd'"])
        #expect(statements[2].child("notify_master")?.arguments == ["/bin/echo 'm n' 'o\tp'", "root"])
        #expect(statements[2].child("notify_backup")?.arguments == ["/etc/keepalived/backup.sh"])
        #expect(try KeepalivedParser.quotedEscapedWords(#"a\x41\101\cA\n"b c"'d "e' \'f"#, at: KeepalivedLocation(file: "k", line: 1))
            == ["aAA\u{1}\nb cd \"e", "'f"])
    }

    /// A `$NAME=` definition continues over lines ending in `\` (keepalived's multi-line definitions):
    /// they are its value, not statements.
    @Test func aDefinitionContinuesOverBackslashLines() throws {
        let statements = try parse("$EXTRA=advert_int 2 \\\n    priority 150 \\\n    nopreempt\nvrrp_instance a {\n  $EXTRA\n}\n")
        #expect(shape(statements) == ["$EXTRA=advert_int 2 \\", "vrrp_instance a {", "  $EXTRA"])
    }

    @Test("errors name FILE:LINE", arguments: [
        ("vrrp_instance a {\n  state MASTER\n", "/etc/keepalived/keepalived.conf:1: `vrrp_instance` opens a block that is never closed"),
        ("global_defs {\n}\n}\n", "/etc/keepalived/keepalived.conf:3: `}` without a block to close"),
        ("{\n", "/etc/keepalived/keepalived.conf:1: `{` without a statement before it"),
        ("vrrp_script a {\n  script \"/bin/true\n}\n", "/etc/keepalived/keepalived.conf:2: a quoted string is not closed on its line"),
        ("\ninclude /etc/keepalived/missing.conf\n",
         "/etc/keepalived/keepalived.conf:2: include /etc/keepalived/missing.conf: no such file (relative to /etc/keepalived)"),
        ("include loop.conf\n", "/etc/keepalived/loop.conf:1: includes nested more than 8 deep (an include loop?)"),
        // keepalived 2.2.7 continues no ordinary line: `virtual_router_id 100 \` is VRID `100\` to it.
        ("vrrp_instance a {\n  virtual_router_id 100 \\\n  priority 120\n}\n",
         "/etc/keepalived/keepalived.conf:2: `\\` at the end of the line: keepalived 2.2.7 continues only `$NAME=` definitions; "
            + "it reads this line alone, the `\\` stuck to its last word (`100\\`): join the lines"),
        ("vrrp_instance a {\n  virtual_ipaddress {\n    198.18.0.1/24\\\n  }\n}\n",
         "/etc/keepalived/keepalived.conf:3: `\\` at the end of the line: keepalived 2.2.7 continues only `$NAME=` definitions; "
            + "it reads this line alone, the `\\` stuck to its last word (`198.18.0.1/24\\`): join the lines"),
        ("vrrp_script a {\n  script \"/bin/echo 'a b\"\n}\n",
         "/etc/keepalived/keepalived.conf:2: the command's '…' is not closed: keepalived ignores the command"),
    ])
    func errors(text: String, message: String) {
        #expect(throws: KeepalivedParseError.self) { try parse(text, files: ["/etc/keepalived/loop.conf": "include loop.conf\n"]) }
        do {
            _ = try parse(text, files: ["/etc/keepalived/loop.conf": "include loop.conf\n"])
        } catch {
            #expect("\(error)" == message)
        }
    }
}
