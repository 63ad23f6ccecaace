import GPIO
import Logging
import Synchronization
import Testing
@testable import Bridge

/// A GPIO line the kernel refuses to set (the chip gone, the line taken back): a write that fails.
private final class RefusingLine: OutputLine {
    let refusing = Atomic<Bool>(true)

    func set(active: Bool) throws(GPIOError) {
        if refusing.load(ordering: .acquiring) { throw .writeFailed(chip: "gpiochip0", offset: 17, reason: "No such device") }
    }
}

/// A relay on a GPIO line whose write fails is a fault (logged by the fault board), and neither its release nor its
/// lock is confirmed.
@Suite struct GPIOOutputFaultTests {
    @Test func aFailedRelayWriteIsAFaultAndItsLockIsNotConfirmed() async {
        let faults = FaultBoard(logger: Logger(label: "gpio"))
        let line = RefusingLine()
        let relay = GPIORelay(output: GPIOSwitchedOutput(line, faults: faults, faultSource: "gpio gpiochip0 line 17"))
        let releases = Mutex<[Bool]>([])
        relay.pulse(for: .seconds(3)) { confirmed in releases.withLock { $0.append(confirmed) } }
        #expect(faults.list() == ["gpio gpiochip0 line 17: cannot set line 17 of gpiochip0: No such device"])
        #expect(await !relay.lockConfirmed())

        line.refusing.store(false, ordering: .releasing)
        relay.pulse(for: .seconds(3)) { confirmed in releases.withLock { $0.append(confirmed) } }
        #expect(releases.withLock { $0 } == [false, true])
        #expect(await relay.lockConfirmed())
        #expect(faults.list() == [], "a write that works again clears the fault")
    }
}
