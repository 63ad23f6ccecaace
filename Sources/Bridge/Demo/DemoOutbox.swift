import Foundation

/// Where the demo's messages go: an SMTP relay and an SMS gateway on loopback (`Demo/smtp_sink.py`,
/// `Demo/sms_sink.py`), which keep each message in `var/demo/outbox/` instead of sending it, so a share link or a
/// passcode sent from the demo's pages goes through the real delivery (the outbox, SMTP, the HTTP template) and
/// can be read there.
final class DemoOutbox {
    static let directory = "\(DemoSite.directory)/outbox"
    /// One JSON line per message (from, to, subject, body, …), mode 0600: a message holds a link or a code.
    static let mailFile = "\(directory)/mail.jsonl"
    static let smsFile = "\(directory)/sms.jsonl"

    let smtpPort: Int
    let smsPort: Int
    private let sinks: [Sink]

    /// A sink's process and the write end of its standard input: the sink exits when that closes, which the kernel
    /// does for this process however it ends (a service killed outright leaves no sink behind).
    private struct Sink {
        let process: Process
        let lifeline: FileHandle
    }

    init(python: URL, repository: URL) throws(BridgeError) {
        do {
            try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
            for file in [Self.mailFile, Self.smsFile] where !FileManager.default.fileExists(atPath: file) {
                guard FileManager.default.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw BridgeError.startup("cannot make \(file)")
                }
            }
        } catch let error as BridgeError {
            throw error
        } catch {
            throw .startup("cannot make \(Self.directory): \(error)")
        }
        var started: [Sink] = []
        do {
            let smtp = try Self.start(python: python, script: repository.appendingPathComponent("Demo/smtp_sink.py"), log: Self.mailFile)
            started.append(smtp.sink)
            let sms = try Self.start(python: python, script: repository.appendingPathComponent("Demo/sms_sink.py"), log: Self.smsFile)
            started.append(sms.sink)
            smtpPort = smtp.port
            smsPort = sms.port
            sinks = started
        } catch {
            started.forEach(Self.stop)
            throw error
        }
    }

    /// Ends both sinks (their standard input closed, then SIGTERM, then SIGKILL if one lingers) and reaps them.
    func stop() { sinks.forEach(Self.stop) }

    private static func start(python: URL, script: URL, log: String) throws(BridgeError) -> (sink: Sink, port: Int) {
        let portFile = "\(directory)/.\(script.deletingPathExtension().lastPathComponent).port"
        try? FileManager.default.removeItem(atPath: portFile)
        let process = Process()
        process.executableURL = python
        process.arguments = [script.path, "--log", log, "--port-file", portFile, "--until-stdin-closes"]
        let lifeline = Pipe()
        process.standardInput = lifeline
        process.standardOutput = FileHandle.nullDevice
        let errors = try DemoPeerLog(for: script)
        process.standardError = errors.handle
        do {
            try process.run()
        } catch {
            throw .startup("cannot start \(script.lastPathComponent) (\(python.path)): \(error)")
        }
        let sink = Sink(process: process, lifeline: lifeline.fileHandleForWriting)
        // The sink writes its port once it listens; a missing Python module (aiosmtpd) ends it instead.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, process.isRunning {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8), let port = Int(text), (1...65535).contains(port) {
                return (sink, port)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop(sink)
        throw .startup(errors.failure(script, likely: "is aiosmtpd installed?"))
    }

    private static func stop(_ sink: Sink) {
        let process = sink.process
        try? sink.lifeline.close()
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
