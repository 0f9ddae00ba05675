import Foundation

/// One HTTP request written byte for byte (so a test controls `Host` and the transport) by a
/// small Python client, over TCP or a Unix socket, optionally as another user (`setpriv`).
public enum RawHTTP {
    /// The client: argv is KIND (tcp|unix), TARGET (HOST:PORT or a path) and the request; prints
    /// the whole answer (the request asks the server to close), or `ERROR <reason>`.
    static let script = """
        import socket, sys
        kind, target, request = sys.argv[1], sys.argv[2], sys.argv[3]
        try:
            if kind == "unix":
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(5)
                s.connect(target)
            else:
                host, port = target.rsplit(":", 1)
                s = socket.create_connection((host.strip("[]"), int(port)), timeout=5)
            s.sendall(request.encode())
            answer = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                answer += chunk
            sys.stdout.write(answer.decode(errors="replace"))
        except OSError as error:
            sys.stdout.write("ERROR %s" % error)
        """

    /// The Python the client runs on (the system's, which every user can run).
    public static let python = "/usr/bin/python3"

    /// Whether the client can run here (and, for `asUser`, whether setpriv is there too).
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: python) }

    /// `METHOD PATH` with `headers` (each `Name: value`) and `body`, HTTP/1.1 unless `version`.
    public static func request(
        _ method: String, _ path: String, headers: [String], body: String = "", version: String = "HTTP/1.1"
    ) -> String {
        var lines = ["\(method) \(path) \(version)"] + headers + ["Connection: close"]
        if !body.isEmpty { lines += ["Content-Type: application/json", "Content-Length: \(body.utf8.count)"] }
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    /// Sends `request` to `target` (`unix`: a socket path; else `HOST:PORT`) and returns the answer
    /// text; `uid`: as that user (and its group, with only `groups` as supplementary groups),
    /// through setpriv. Blocks.
    public static func send(
        _ request: String, unix: Bool, to target: String, uid: Int? = nil, groups: [Int] = []
    ) throws -> String {
        var arguments = [python, "-c", script, unix ? "unix" : "tcp", target, request]
        if let uid {
            let supplementary = groups.isEmpty ? "--clear-groups" : "--groups=" + groups.map(String.init).joined(separator: ",")
            arguments = ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(uid)", supplementary] + arguments
        }
        return try ExternalTool.run(arguments, limit: .seconds(20)).stdout
    }

    /// The status code of an answer (`HTTP/1.1 421 ...` → 421), or nil.
    public static func status(_ answer: String) -> Int? {
        guard answer.hasPrefix("HTTP/") else { return nil }
        return answer.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }
}
