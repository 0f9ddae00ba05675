import ArgumentParser
import FloatIPCore
import Foundation

/// Reads and validates a config file. Prints every problem to standard error as
/// `FILE:LINE: field: message` and exits 1 if there is any.
func loadConfig(_ file: String) throws -> ClusterConfig {
    try parseConfig(readConfigText(file), file: file)
}

/// The config file's text, or exit 1 with the reason.
func readConfigText(_ file: String) throws -> String {
    let yaml: String
    do {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        guard let text = String(data: data, encoding: .utf8) else {
            printError("\(file): the file is not UTF-8 text")
            throw ExitCode(1)
        }
        yaml = text
    } catch let error as ExitCode {
        throw error
    } catch {
        printError("\(file): cannot read the config file: \(readFailure(file))")
        throw ExitCode(1)
    }
    return yaml
}

/// The validated config in `yaml`, or exit 1 after printing every problem.
func parseConfig(_ yaml: String, file: String) throws -> ClusterConfig {
    switch ConfigParser.parse(yaml: yaml, file: file) {
    case .failure(let errors):
        for problem in errors.problems { printError(problem.description) }
        throw ExitCode(1)
    case .success(let config):
        return config
    }
}

/// Why a file could not be read, in words.
private func readFailure(_ path: String) -> String {
    var isDirectory: ObjCBool = false
    if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
    if isDirectory.boolValue { return "it is a directory" }
    return "permission denied"
}

/// Writes a line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
