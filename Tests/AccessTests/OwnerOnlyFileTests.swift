import Foundation
import KeywayTestSupport
import Logging
import Synchronization
import Testing
@testable import Access

/// Secrets are written only to plain files of their own, and read only from files no one else may read;
/// the database is created readable by its owner only, and a looser one is reported.
@Suite struct OwnerOnlyFileTests {
    func mode(_ path: String) -> mode_t {
        var status = stat()
        lstat(path, &status)
        return status.st_mode & 0o777
    }

    func isSymbolicLink(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
    }

    // MARK: Writing

    /// `keyset --key-file` pointing at a link planted by someone else: the link's target is neither written nor
    /// replaced by a key, and the command says why.
    @Test func replaceRefusesASymbolicLinkAndLeavesItsTargetAlone() throws {
        let folder = try TestPaths.temporaryDirectory("secret-link")
        let target = folder.appendingPathComponent("world-readable.txt")
        FileManager.default.createFile(atPath: target.path, contents: Data("theirs\n".utf8), attributes: [.posixPermissions: 0o644])
        let key = folder.appendingPathComponent("reader.key")
        try FileManager.default.createSymbolicLink(atPath: key.path, withDestinationPath: target.path)

        #expect(throws: SecretFileError.symbolicLink(key)) { try SecretFile.replace(at: key, contents: Data("secret\n".utf8)) }
        #expect(try String(contentsOf: target, encoding: .utf8) == "theirs\n")
        #expect(isSymbolicLink(key.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["reader.key", "world-readable.txt"],
                "no temporary left behind")
    }

    @Test func createRefusesASymbolicLinkEvenOnePointingNowhere() throws {
        let folder = try TestPaths.temporaryDirectory("secret-link")
        let key = folder.appendingPathComponent("keyway.secret")
        let target = folder.appendingPathComponent("planted")
        try FileManager.default.createSymbolicLink(atPath: key.path, withDestinationPath: target.path)
        #expect(throws: SecretFileError.symbolicLink(key)) { try SecretFile.create(at: key, contents: Data("secret".utf8)) }
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test func aNewSecretIsOwnerOnlyWhateverTheUmask() throws {
        let key = try TestPaths.temporaryDirectory("secret").appendingPathComponent("reader.key")
        try SecretFile.replace(at: key, contents: Data("secret\n".utf8))
        #expect(mode(key.path) == 0o600)
    }

    // MARK: Reading

    @Test(arguments: [0o640 as mode_t, 0o604, 0o644, 0o660, 0o602])
    func aKeyFileOthersMayAccessIsRefused(_ permissions: mode_t) throws {
        let key = try TestPaths.temporaryDirectory("secret").appendingPathComponent("reader.key")
        FileManager.default.createFile(atPath: key.path, contents: Data("k\n".utf8), attributes: [.posixPermissions: permissions])
        #expect(throws: SecretFileError.self) { try SecretFile.contents(at: key, maximumLength: 64) }
        do {
            _ = try SecretFile.contents(at: key, maximumLength: 64)
        } catch {
            #expect("\(error)".contains("chmod 600"))
        }
    }

    @Test func anOwnerOnlyKeyFileIsRead() throws {
        let key = try TestPaths.temporaryDirectory("secret").appendingPathComponent("reader.key")
        FileManager.default.createFile(atPath: key.path, contents: Data("k\n".utf8), attributes: [.posixPermissions: 0o600])
        #expect(try SecretFile.contents(at: key, maximumLength: 64) == Data("k\n".utf8))
        #expect(throws: SecretFileError.tooLong(key, maximum: 1)) { try SecretFile.contents(at: key, maximumLength: 1) }
    }

    @Test func aFolderAFIFOOrNothingIsRefusedWithoutWaiting() throws {
        let folder = try TestPaths.temporaryDirectory("secret")
        let fifo = folder.appendingPathComponent("pipe")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        #expect(throws: SecretFileError.notARegularFile(fifo)) { try SecretFile.contents(at: fifo, maximumLength: 64) }
        #expect(throws: SecretFileError.self) { try SecretFile.contents(at: folder, maximumLength: 64) }
        #expect(throws: SecretFileError.self) { try SecretFile.contents(at: folder.appendingPathComponent("none"), maximumLength: 64) }
    }

    // MARK: The database

    @Test func aNewDatabaseAndItsWALAreOwnerOnly() throws {
        let folder = try TestPaths.temporaryDirectory("database-mode")
        let database = folder.appendingPathComponent("keyway.db")
        let store = try AccessStore.open(database: database, timeZone: .gmt)
        try store.addDoor(name: "Front", mode: .card)
        for path in [database.path, database.path + "-wal", database.path + "-shm", folder.appendingPathComponent("keyway.secret").path] {
            #expect(FileManager.default.fileExists(atPath: path), "\(path)")
            #expect(mode(path) == 0o600, "\(path) is \(String(mode(path), radix: 8))")
        }
    }

    @Test func anExistingDatabaseOthersCanReadIsOpenedWithAWarning() throws {
        let folder = try TestPaths.temporaryDirectory("database-mode")
        let database = folder.appendingPathComponent("keyway.db")
        _ = try AccessStore.open(database: database, timeZone: .gmt)
        #expect(chmod(database.path, 0o644) == 0)
        let records = RecordedLog()
        _ = try AccessStore.open(database: database, timeZone: .gmt, logger: records.logger)
        let warnings = records.entries.filter { $0.level == .warning }
        #expect(warnings.count == 1)
        #expect(warnings.first?.message.contains("chmod 600") == true)
        #expect(warnings.first?.metadata["path"] == "\(database.path)")
        #expect(warnings.first?.metadata["modes"]?.hasPrefix("\(database.path) 644") == true)

        #expect(chmod(database.path, 0o600) == 0)
        let quiet = RecordedLog()
        _ = try AccessStore.open(database: database, timeZone: .gmt, logger: quiet.logger)
        #expect(quiet.entries.allSatisfy { $0.level != .warning })
    }
}

/// Every log entry a logger received.
final class RecordedLog: Sendable {
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let stored = Mutex<[Entry]>([])
    var entries: [Entry] { stored.withLock { $0 } }
    var logger: Logger { Logger(label: "test") { _ in Handler(log: self) } }

    struct Handler: LogHandler {
        let log: RecordedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            let entry = Entry(level: level, message: "\(message)",
                              metadata: (metadata ?? [:]).mapValues { "\($0)" })
            log.stored.withLock { $0.append(entry) }
        }
    }
}
