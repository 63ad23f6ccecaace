import Foundation
import KeywayTestSupport
import Testing
@testable import Access

/// The one writer of owner-only files: the site's secrets, the demo's and `keyset`'s reader keys.
@Suite struct SecretFileTests {
    func mode(_ url: URL) -> mode_t {
        var status = stat()
        stat(url.path, &status)
        return status.st_mode & 0o777
    }

    @Test func createKeepsWhatIsThereAndWritesOwnerOnly() throws {
        let file = try TestPaths.temporaryDirectory("secret").appendingPathComponent("reader.key")
        #expect(try SecretFile.create(at: file, contents: Data("first\n".utf8)))
        #expect(try SecretFile.create(at: file, contents: Data("second\n".utf8)) == false)
        #expect(try String(contentsOf: file, encoding: .utf8) == "first\n")
        #expect(mode(file) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path) == ["reader.key"])
    }

    /// A key replacing an older file readable by others is owner-only afterwards (an in-place write kept the old mode).
    @Test func replaceTightensALaxOldFile() throws {
        let file = try TestPaths.temporaryDirectory("secret").appendingPathComponent("reader.key")
        FileManager.default.createFile(atPath: file.path, contents: Data("old\n".utf8), attributes: [.posixPermissions: 0o644])
        try SecretFile.replace(at: file, contents: Data("new\n".utf8))
        #expect(try String(contentsOf: file, encoding: .utf8) == "new\n")
        #expect(mode(file) == 0o600)
    }

    @Test func aFolderThatIsNotThereIsAClearError() {
        let file = URL(fileURLWithPath: "/nonexistent-keyway-folder/reader.key")
        #expect(throws: SecretFileError.self) { try SecretFile.replace(at: file, contents: Data("k".utf8)) }
        #expect(throws: SecretFileError.self) { try SecretFile.create(at: file, contents: Data("k".utf8)) }
    }
}
