import Foundation
import KeywayTestSupport
import OSDPLink
import Testing

/// A capture holds the clear data of Secure Channel frames (card numbers, PINs): it is a new file its owner alone
/// may read, and nothing already at its path is overwritten or followed.
@Suite struct CaptureFileTests {
    func mode(_ path: String) -> mode_t {
        var status = stat()
        lstat(path, &status)
        return status.st_mode & 0o777
    }

    @Test(arguments: ["bus.pcap", "bus.osdpcap"])
    func aCaptureIsCreatedOwnerOnly(_ name: String) throws {
        let path = try TestPaths.temporaryDirectory("capture").appendingPathComponent(name).path
        let writer = try OSDPCaptureWriter(path: path)
        try writer.close()
        #expect(mode(path) == 0o600, "mode \(String(mode(path), radix: 8))")
    }

    @Test func anExistingFileIsNeitherOverwrittenNorLoosened() throws {
        let path = try TestPaths.temporaryDirectory("capture").appendingPathComponent("bus.pcap").path
        FileManager.default.createFile(atPath: path, contents: Data("earlier capture".utf8), attributes: [.posixPermissions: 0o644])
        #expect(throws: OSDPCaptureError.exists(path)) { try OSDPCaptureWriter(path: path) }
        #expect(FileManager.default.contents(atPath: path) == Data("earlier capture".utf8))
    }

    @Test func aSymbolicLinkIsNotFollowedEvenToNowhere() throws {
        let folder = try TestPaths.temporaryDirectory("capture")
        let path = folder.appendingPathComponent("bus.pcap").path
        let victim = folder.appendingPathComponent("victim").path
        FileManager.default.createFile(atPath: victim, contents: Data("keep".utf8), attributes: [.posixPermissions: 0o644])
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
        #expect(throws: OSDPCaptureError.exists(path)) { try OSDPCaptureWriter(path: path) }
        #expect(FileManager.default.contents(atPath: victim) == Data("keep".utf8))

        let dangling = folder.appendingPathComponent("dangling.pcap").path
        let created = folder.appendingPathComponent("created-through-link").path
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: created)
        #expect(throws: OSDPCaptureError.exists(dangling)) { try OSDPCaptureWriter(path: dangling) }
        #expect(!FileManager.default.fileExists(atPath: created))
    }

    @Test func aFolderThatIsNotThereIsAClearError() {
        #expect(throws: OSDPCaptureError.cannotCreate("/nonexistent-keyway-folder/bus.pcap", "No such file or directory")) {
            try OSDPCaptureWriter(path: "/nonexistent-keyway-folder/bus.pcap")
        }
    }
}
