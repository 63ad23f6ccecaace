import Access
import Bridge
import Dispatch
import Foundation
import FuzzSupport
import Logging

// The control socket: each input line is decoded as the server decodes a request (JSON, ISO 8601 dates),
// and a request that decodes is answered by a real SiteSupervisor, as `keyway serve` answers it. The
// site has no buses, readers or doors (nothing is started), so answering touches no hardware; its
// database lives in a temporary folder made once per process.
//
// Invariants:
// - a request that decodes encodes back to a line that decodes to the same request;
// - every answer is well formed: `ok` without an error, or not `ok` with a non-empty one, and it
//   encodes to a line the CLI reads back to the same answer.

private let decoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
}()
private let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return encoder
}()

private let folder: URL = {
    var template = Array(FileManager.default.temporaryDirectory.appendingPathComponent("keyway-fuzz-control.XXXXXX").path.utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("cannot make a temporary folder") }
    return URL(fileURLWithPath: String(cString: made))
}()

private let supervisor: SiteSupervisor = {
    let yaml = """
        site: {name: Fuzz, timezone: UTC}
        database: \(folder.path)/keyway.sqlite
        secrets: \(folder.path)/keyway.secret
        """
    let source = SiteSupervisor.ConfigurationSource.text(yaml, name: "fuzz.yaml", environment: [:])
    let configuration = try! source.load()
    let logger = Logger(label: "keyway.fuzz") { _ in SwiftLogNoOpLogHandler() }
    let access = try! AccessControl.open(database: configuration.database, secrets: configuration.secrets, timeZone: .gmt, logger: logger)
    atexit { try? FileManager.default.removeItem(at: folder) }
    return SiteSupervisor(configuration: configuration, source: source, access: access, logger: logger)
}()

/// The answer the task writes once, read after the semaphore.
private final class AnswerSlot: @unchecked Sendable {
    var value: ControlResponse?
}

/// Runs the supervisor's async answer from the fuzzer's thread and waits for it.
private func wait(_ operation: @escaping @Sendable () async -> ControlResponse) -> ControlResponse {
    let slot = AnswerSlot()
    let done = DispatchSemaphore(value: 0)
    Task {
        slot.value = await operation()
        done.signal()
    }
    done.wait()
    return slot.value!
}

/// One input: libFuzzer calls this through the `LLVMFuzzerTestOneInput` symbol in main.swift.
func fuzzControl(_ bytes: UnsafeBufferPointer<UInt8>) {
    for line in bytes.split(separator: UInt8(ascii: "\n")).prefix(4) {
        guard let request = try? decoder.decode(ControlRequest.self, from: Data(line)) else { continue }
        let encoded = try! encoder.encode(request)
        let again = try? decoder.decode(ControlRequest.self, from: encoded)
        invariant(again == request, "request \(request) does not survive encode/decode: \(String(decoding: encoded, as: UTF8.self))")

        let response = wait { await supervisor.handle(request, from: nil) }
        invariant(response.ok == (response.error == nil), "answer with ok \(response.ok) and error \(String(describing: response.error))")
        invariant(response.error.map { !$0.isEmpty } ?? true, "a failure without a reason")
        // Dates travel to the second, so the answer is compared as the CLI reads it back.
        let answer = try! encoder.encode(response)
        let read = try? decoder.decode(ControlResponse.self, from: answer)
        invariant(read.flatMap { try? encoder.encode($0) } == answer, "answer \(String(decoding: answer, as: UTF8.self)) does not read back")
    }
}
