import Logging

extension Logger {
    /// A logger that drops everything: the default where a caller (a test) does not listen.
    public static var silent: Logger { Logger(label: "floatip.silent", factory: { _ in SwiftLogNoOpLogHandler() }) }
}
