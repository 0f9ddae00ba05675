import FloatIPLinux
import Foundation
import Glibc

/// Runs the short helper commands the lab needs (`ip …`) and waits for them.
public enum LabShell {
    /// The absolute path of iproute2's `ip`.
    public static func ipTool() throws(LabError) -> String {
        for path in ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw .missingTool("ip (install iproute2)")
    }

    /// `ip ARGUMENTS…`; its standard output, or `LabError.command` with its standard error.
    @discardableResult
    public static func ip(_ arguments: String...) throws(LabError) -> String {
        try ip(arguments)
    }

    /// `ip ARGUMENTS…`; its standard output, or `LabError.command` with its standard error.
    @discardableResult
    public static func ip(_ arguments: [String]) throws(LabError) -> String {
        try run(ipTool(), arguments)
    }

    /// Runs `program` with `arguments` to completion (spawned as every child of floatip is:
    /// `ChildSpawn`); its standard output.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String]) throws(LabError) -> String {
        let output = try pipePair(program)
        let errors: (read: Int32, write: Int32)
        do { errors = try pipePair(program) } catch {
            close(output.read)
            close(output.write)
            throw error
        }
        let spawned = ChildSpawn.start(
            path: program, argv: [program] + arguments, environment: nil, output: output.write, errors: errors.write)
        close(output.write)
        close(errors.write)
        let pid: pid_t
        switch spawned {
        case .success(let child): pid = child
        case .failure(let error):
            close(output.read)
            close(errors.read)
            throw .system("cannot run \(program): \(error)")
        }
        // Both pipes to the end before waiting, so a chatty command cannot block on a full pipe.
        let errorText = ErrorCollector(errors.read)
        let outputData = readToEnd(output.read)
        let errorData = errorText.finish()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let shown = [(program as NSString).lastPathComponent] + arguments
        // WIFEXITED / WEXITSTATUS are macros Swift does not import: exited normally with 0 is status 0.
        guard status == 0 else {
            let code = status & 0x7f == 0 ? (status >> 8) & 0xff : -(status & 0x7f)
            throw .command(arguments: shown, status: code, stderr: String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: outputData, as: UTF8.self)
    }

    private static func pipePair(_ program: String) throws(LabError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .system("cannot run \(program): pipe: \(String(cString: strerror(errno)))") }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return (fds[0], fds[1])
    }

    /// The names of the network namespaces that exist now.
    public static func namespaces() throws(LabError) -> Set<String> {
        let text = try ip("netns", "list")
        // Lines look like `name (id: 3)` or just `name`.
        return Set(text.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
    }
}

/// Reads `fd` to its end and closes it.
private func readToEnd(_ fd: Int32) -> [UInt8] {
    defer { close(fd) }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16 * 1024)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count > 0 {
            data.append(contentsOf: chunk[0..<count])
        } else if count == 0 || errno != EINTR {
            return data
        }
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class ErrorCollector: @unchecked Sendable {
    private var data: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init(_ fd: Int32) {
        let thread = Thread { [self] in
            data = readToEnd(fd)
            done.signal()
        }
        thread.start()
    }

    func finish() -> [UInt8] {
        done.wait()
        return data
    }
}
