import Foundation

/// Where things are when the test suite runs: the repository, the built `keyway`, the test peers' Python.
public enum TestPaths {
    /// The repository root (this file is Tests/Support/Paths.swift).
    public static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The build products folder: the test bundle runs from it, whatever the scratch path.
    public static let products: URL = URL(fileURLWithPath: "/proc/self/exe")
        .resolvingSymlinksInPath().deletingLastPathComponent()

    /// The `keyway` executable built beside the tests.
    public static let keyway: URL = products.appendingPathComponent("keyway")

    /// Python with libosdp: `$KEYWAY_PYTHON`, else the venv that scripts/setup.sh makes.
    public static let python: URL = {
        if let path = ProcessInfo.processInfo.environment["KEYWAY_PYTHON"] { return URL(fileURLWithPath: path) }
        return repository.appendingPathComponent(".venv/bin/python")
    }()

    /// A fresh, empty temporary directory.
    public static func temporaryDirectory(_ label: String = "keyway") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
