import Foundation

/// Runs the short helper commands the lab needs (`ip …`) and waits for them.
public enum LabShell {
    /// The absolute path of iproute2's `ip`.
    public static func ipTool() throws(LabError) -> String {
        for path in ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw .missingTool("ip (iproute2)")
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

    /// Runs `program` with `arguments` to completion; its standard output.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String]) throws(LabError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .system("cannot run \(program): \(error)")
        }
        // Read both pipes to the end before waiting, so a chatty command cannot block on a full pipe.
        let errorText = ErrorCollector(errors.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorData = errorText.finish()
        let shown = [(program as NSString).lastPathComponent] + arguments
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw .command(arguments: shown, status: process.terminationStatus, stderr: String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: outputData, as: UTF8.self)
    }

    /// The names of the network namespaces that exist now.
    public static func namespaces() throws(LabError) -> Set<String> {
        let text = try ip("netns", "list")
        // Lines look like `name (id: 3)` or just `name`.
        return Set(text.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
        thread.start()
    }

    func finish() -> Data {
        done.wait()
        return data
    }
}
