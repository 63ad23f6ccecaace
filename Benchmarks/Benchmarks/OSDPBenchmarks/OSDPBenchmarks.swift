import Benchmark
import OSDP

/// One iteration = one command frame encoded and decoded plus one reply frame encoded and decoded
/// (two frames each way), so throughput × 2 is frames encoded+decoded per second.
let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.wallClock, .throughput, .mallocCountTotal], maxDuration: .seconds(2))
    let led = Command.led([LEDControl(reader: 0, led: 0, temporary: LEDTemporaryState(control: .set, onTime: 5, offTime: 5, onColor: .red, timer: 30),
                                      permanent: LEDPermanentState(control: .set, onTime: 1, onColor: .green))])
    let card = Reply.rawCard(RawCard(format: .wiegand, bitCount: 26, data: [0x22, 0x51, 0x27, 0xC0]))

    Benchmark("Plain LED command + RAW reply, encode+decode", configuration: configuration) { benchmark in
        var parser = FrameParser()
        for _ in benchmark.scaledIterations {
            let command = Frame(address: 1, sequence: 1, code: led.code.rawValue, data: led.payload).encoded()
            for case .frame(let received) in parser.append(command, now: 0) {
                blackHole(try? Command.decode(code: received.frame.code, payload: received.frame.data))
            }
            let reply = Frame(address: 1, isReply: true, sequence: 1, code: card.code.rawValue, data: card.payload).encoded(mark: false)
            for case .frame(let received) in parser.append(reply, now: 0) {
                blackHole(try? Reply.decode(code: received.frame.code, payload: received.frame.data))
            }
        }
    }

    Benchmark("Secure Channel LED command + RAW reply, seal+open (AES-CBC + MAC)", configuration: configuration) { benchmark in
        let keys = SessionKeys(scbk: .installDefault, randomA: [0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7])
        let rmac: [UInt8] = [0xB2, 0xA3, 0x00, 0x57, 0xEB, 0x98, 0xBA, 0x22, 0x29, 0xEC, 0x1F, 0x87, 0x56, 0x62, 0xB5, 0x24]
        var panel = SecureSession(keys: keys, initialRMAC: rmac)
        var reader = SecureSession(keys: keys, initialRMAC: rmac, role: .peripheral)
        var parser = FrameParser()
        for _ in benchmark.scaledIterations {
            let command = panel.seal(Frame(address: 1, sequence: 1, code: led.code.rawValue, data: led.payload)).encoded()
            for case .frame(let received) in parser.append(command, now: 0) {
                if let clear = try? reader.open(received) { blackHole(try? Command.decode(code: clear.code, payload: clear.data)) }
            }
            let reply = reader.seal(Frame(address: 1, isReply: true, sequence: 1, code: card.code.rawValue, data: card.payload)).encoded(mark: false)
            for case .frame(let received) in parser.append(reply, now: 0) {
                if let clear = try? panel.open(received) { blackHole(try? Reply.decode(code: clear.code, payload: clear.data)) }
            }
        }
    }

    Benchmark("Bus: poll cycle of 32 PDs (POLL out, ACK in), plaintext", configuration: configuration) { benchmark in
        let addresses = (0..<32).map { UInt8($0) }
        var bus = try! ControlPanel(pds: addresses.map { PDConfiguration(address: $0, security: .off) })
        let pdid = Reply.identification(PDIdentification(vendorCode: [1, 2, 3], model: 1, version: 1, serialNumber: 1, firmware: (1, 0, 0)))
        var now: UInt64 = 0
        func answer(_ bytes: [UInt8], _ reply: Reply) -> [UInt8] {
            Frame(address: bytes[2], isReply: true, sequence: bytes[5] & 3, code: reply.code.rawValue, data: reply.payload).encoded(mark: false)
        }
        // Bring everyone online.
        while bus.statuses.contains(where: { $0.state != .online }) {
            now += 1_000_000
            guard let bytes = bus.nextTransmission(now: now) else { continue }
            let code = bytes[6]
            bus.receive(answer(bytes, code == CommandCode.id.rawValue ? pdid : code == CommandCode.cap.rawValue ? .capabilities(Capabilities([])) : .ack), now: now)
            _ = bus.takeEvents()
        }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            now += 60_000_000  // every PD's poll is due
            for _ in addresses {
                guard let bytes = bus.nextTransmission(now: now) else { break }
                bus.receive(answer(bytes, .ack), now: now)
            }
            blackHole(bus.takeEvents())
        }
    }

    registerInteropLatencyBenchmarks()
}
