#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Zero-filled memory for a table of the cache, mapped on its own and, on Linux, in 2 MB pages where the kernel
/// offers them (transparent huge pages, `madvise`): a lookup lands at a random place in a table of a hundred MB or
/// more, and with 4 KB pages nearly every one also misses the TLB, which on a virtual machine costs a two-level
/// page walk. Where huge pages are refused, the same memory works in ordinary pages.
struct TableMemory: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    private let mapping: UnsafeMutableRawPointer
    private let mappedBytes: Int

    static let hugePage = 2 << 20

    init(bytes: Int) {
        #if os(Linux)
        let huge = bytes >= Self.hugePage
        #else
        let huge = false
        #endif
        // A huge page must start at a multiple of its size: map one more, start at the first boundary.
        let length = huge ? bytes + Self.hugePage : max(bytes, 1)
        guard let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              mapped != MAP_FAILED else {
            fatalError("verification cache: cannot map \(length) bytes (errno \(errno))")
        }
        mapping = mapped
        mappedBytes = length
        base = huge ? mapped.alignedUp(toMultipleOf: Self.hugePage) : mapped
        #if os(Linux)
        if huge { _ = madvise(base, bytes, MADV_HUGEPAGE) }
        #endif
    }

    /// Unmaps the memory; the caller has deinitialized whatever it held.
    func release() { munmap(mapping, mappedBytes) }
}
