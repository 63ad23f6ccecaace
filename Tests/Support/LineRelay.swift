import Foundation
import Serial
import Synchronization

/// Two pseudo-terminals joined like a wire, with a hand on the line: it can damage bytes in flight.
///
/// The control panel opens `controlPanelSide`, the PDs `peripheralSide`. Whatever one side writes the other
/// reads, in the same chunks, unless the test asked for damage. The relay keeps both devices alive, so a PD
/// process may die and a new one take its place on the same line.
public final class LineRelay: Sendable {
    public enum Direction: Sendable { case toPeripherals, toControlPanel }

    public var controlPanelSide: String { controlPanel.devicePath }
    public var peripheralSide: String { peripherals.devicePath }

    private let controlPanel: PseudoTerminal
    private let peripherals: PseudoTerminal
    private let hand = Hand()
    private let finished = DispatchSemaphore(value: 0)

    /// What the test asks of the line, shared with the relay thread.
    private final class Hand: Sendable {
        let damage = Mutex<[Direction: Int]>([:])
        let stopped = Atomic<Bool>(false)

        /// Whether the next chunk in `direction` is to be damaged (and counts it).
        func takeDamage(_ direction: Direction) -> Bool {
            damage.withLock { plan in
                guard let left = plan[direction], left > 0 else { return false }
                plan[direction] = left - 1
                return true
            }
        }
    }

    public init() throws {
        controlPanel = try PseudoTerminal()
        peripherals = try PseudoTerminal()
        let thread = Thread { [controlPanel, peripherals, hand, finished] in
            while !hand.stopped.load(ordering: .acquiring) {
                for (from, to, direction) in [
                    (controlPanel, peripherals, Direction.toPeripherals), (peripherals, controlPanel, .toControlPanel),
                ] {
                    guard var bytes = try? from.read(timeoutNanoseconds: 1_000_000), !bytes.isEmpty else { continue }
                    if hand.takeDamage(direction) {
                        // One flipped bit in the middle of the chunk: the frame's check character no longer fits.
                        bytes[bytes.count / 2] ^= 0x10
                    }
                    try? to.write(bytes)
                }
            }
            finished.signal()
        }
        thread.start()
    }

    deinit { stop() }

    /// Damages the next `chunks` writes travelling in `direction` (a frame is written in one chunk).
    public func corrupt(next chunks: Int, _ direction: Direction) {
        hand.damage.withLock { $0[direction, default: 0] += chunks }
    }

    /// How many damaging writes are still to come in `direction`.
    public func pendingCorruption(_ direction: Direction) -> Int {
        hand.damage.withLock { $0[direction, default: 0] }
    }

    /// Puts bytes on the line as if noise reached that side.
    public func inject(_ bytes: [UInt8], _ direction: Direction) throws {
        try (direction == .toControlPanel ? controlPanel : peripherals).write(bytes)
    }

    public func stop() {
        guard !hand.stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        finished.wait()
        controlPanel.close()
        peripherals.close()
    }
}
