import Foundation

/// A value behind a pthread mutex (`NSLock`), for writers and the rare keypad path; readers of the cache never lock.
/// Not `Synchronization.Mutex`: on Linux its futex-based lock is invisible to the thread sanitizer, which then
/// reports races between critical sections that are in fact serialized.
final class Locked<State: Sendable>: @unchecked Sendable {
    private var state: State
    private let lock = NSLock()

    init(_ state: State) { self.state = state }

    func withLock<T>(_ body: (inout State) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
