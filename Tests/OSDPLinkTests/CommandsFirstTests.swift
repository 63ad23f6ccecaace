import Foundation
import OSDP
import OSDPLink
import Serial
import Synchronization
import Testing

/// A PD played by hand on the far end of a pseudo-terminal: the commands a card's decision sends wake the
/// link's thread; the first is the PD's very next frame, and the rest follow in the order they were sent.
@Suite struct CommandsFirstTests {
    /// Reads frames from the PD's end and answers each: ID, CAP, then ACK, except that the POLLs are answered
    /// with a card once `cardAfterPolls` of them have been seen. Returns the command codes as they came.
    final class HandPlayedPD: Sendable {
        private final class Shared: Sendable {
            let codes = Mutex<[UInt8]>([])
            let stopped = Atomic<Bool>(false)
        }

        private let shared = Shared()
        var codes: [UInt8] { shared.codes.withLock { $0 } }

        /// `byteTime`: each reply byte is written on its own, this long after the previous one (a UART at that speed).
        init(_ pty: PseudoTerminal, cardAfterPolls: Int, byteTime: Double? = nil) {
            let shared = shared
            Thread {
                var parser = FrameParser()
                var polls = 0
                // As the spec asks, a command resent with the same sequence number gets the same reply again (the
                // panel resends when a reply came too slowly, as on a machine too loaded to pace it).
                var last: (sequence: UInt8, code: UInt8, reply: Reply)?
                while !shared.stopped.load(ordering: .acquiring) {
                    guard let bytes = try? pty.read(timeoutNanoseconds: 50_000_000) else { return }
                    for case .frame(let received) in parser.append(bytes, now: 0) where !received.frame.isReply {
                        let frame = received.frame
                        shared.codes.withLock { $0.append(frame.code) }
                        let reply: Reply
                        if let last, last.sequence == frame.sequence, last.code == frame.code, frame.sequence != 0 {
                            reply = last.reply
                        } else {
                            switch frame.code {
                            case CommandCode.id.rawValue:
                                reply = .identification(PDIdentification(vendorCode: [1, 2, 3], model: 1, version: 1, serialNumber: 1, firmware: (1, 0, 0)))
                            case CommandCode.cap.rawValue:
                                reply = .capabilities(Capabilities([Capability(function: .checkCharacterSupport, compliance: 1, count: 0)]))
                            case CommandCode.poll.rawValue:
                                polls += 1
                                reply = polls == cardAfterPolls ? .rawCard(RawCard(format: .unspecified, bitCount: 200, data: Array(0..<25))) : .ack
                            default:
                                reply = .ack
                            }
                        }
                        last = (frame.sequence, frame.code, reply)
                        let bytes = Frame(address: frame.address, isReply: true, sequence: frame.sequence, code: reply.code.rawValue, data: reply.payload).encoded()
                        guard let byteTime else {
                            try? pty.write(bytes)
                            continue
                        }
                        for byte in bytes {
                            Thread.sleep(forTimeInterval: byteTime)
                            try? pty.write([byte])
                        }
                    }
                }
            }.start()
        }

        func stop() { shared.stopped.store(true, ordering: .releasing) }
    }

    @Test(.timeLimit(.minutes(3)), arguments: [nil, 9600])
    func theAnswerToACardIsThePDsNextFramesInOrder(bytePacedAt baud: Int?) async throws {
        let pty = try PseudoTerminal(baudRate: .b115200)
        // At 9600 baud, byte by byte: the loop sleeps through a reply (a 37-byte card report, longer than the
        // 20 ms inter-character timeout) and must still take it whole.
        let pd = HandPlayedPD(pty, cardAfterPolls: 20, byteTime: baud.map { 10 / Double($0) })
        defer { pd.stop() }
        var bus = BusOptions()
        // Far longer than the answer takes, a POLL before it would be a bug. Generous: this test answers from the
        // cooperative pool, which the whole suite's synchronous tests can hold for many seconds on two cores.
        bus.answerWindow = 50_000_000_000
        // Polls held that long must not make the PD look offline (8 s without a reply) while the pool is held.
        bus.offlineAfter = 60_000_000_000
        let link = try OSDPLink(configuration: OSDPLinkConfiguration(
            devicePath: pty.devicePath, port: SerialPortOptions(baudRate: baud == 9600 ? .b9600 : .b115200), pds: [PDConfiguration(address: 1, security: .off)], bus: bus))
        defer { link.stop() }
        for await event in link.events {
            guard case .bus(.card) = event else { continue }
            // What a door does with a granted card: strike, then green LED and a beep, without waiting for each.
            let results = Mutex<[CommandResult]>([])
            for command: Command in [
                .output([OutputControl(output: 0, action: .temporaryOn, timer: 30)]),
                .led([LEDControl(temporary: LEDTemporaryState(control: .set, onTime: 5, offTime: 0, onColor: .green, offColor: .green, timer: 10))]),
                .buzzer([BuzzerControl(onTime: 2, offTime: 0, count: 1)]),
            ] {
                link.send(command, to: 1) { result in results.withLock { $0.append(result) } }
            }
            while results.withLock({ $0.count }) < 3 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(results.withLock { $0 } == [.ack, .ack, .ack])
            break
        }
        let codes = pd.codes
        let card = try #require(codes.indices.filter { codes[$0] == CommandCode.poll.rawValue }.dropFirst(19).first)
        // A frame resent at once (its reply was late enough mid-frame to count as broken on a loaded machine) is
        // still the same command: compare the commands, each counted once.
        let after = codes[(card + 1)...].reduce(into: [UInt8]()) { if $0.last != $1 { $0.append($1) } }
        // The strike's command is the very next frame. The LED and the beep follow it in order; a POLL may come
        // between them only when this test's thread lost the CPU between two sends for longer than the OUT's whole
        // exchange (seen on two loaded cores in CI), which says nothing of the link.
        #expect(after.first == CommandCode.out.rawValue)
        #expect(Array(after.filter { $0 != CommandCode.poll.rawValue }.prefix(3))
                == [CommandCode.out.rawValue, CommandCode.led.rawValue, CommandCode.buz.rawValue])
    }
}
