import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The site's two secrets, each in its own file readable by the owner only (mode 0600), created on first run:
/// - the code key: HMAC-SHA256 key under which PINs and passcodes are stored and looked up (never in clear);
/// - the signing key: Ed25519 key that signs digital-key tokens, beside the code key.
public struct SiteSecrets: Sendable {
    let codeKey: SymmetricKey
    let signingKey: Curve25519.Signing.PrivateKey

    /// Where the code key lives by default: beside the database, `keyway.db` → `keyway.secret`.
    public static func defaultLocation(forDatabase database: URL) -> URL {
        database.deletingPathExtension().appendingPathExtension("secret")
    }

    /// The signing key's file, beside the code key: `keyway.secret` → `keyway.signing-key`.
    public static func signingKeyLocation(forSecret secret: URL) -> URL {
        secret.deletingPathExtension().appendingPathExtension("signing-key")
    }

    /// Reads both secrets; creates whichever is missing when `creatingMissing`, else a missing one is an error
    /// (a database that already holds codes must never be given fresh secrets: its codes would stop matching).
    public static func load(at secret: URL, creatingMissing: Bool) throws -> SiteSecrets {
        let codeKey = try SecretFile.read(at: secret, length: 32, creatingMissing: creatingMissing) {
            SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        }
        let signingKey = try SecretFile.read(at: signingKeyLocation(forSecret: secret), length: 32,
                                             creatingMissing: creatingMissing) {
            Curve25519.Signing.PrivateKey().rawRepresentation
        }
        return SiteSecrets(
            codeKey: SymmetricKey(data: codeKey),
            signingKey: try Curve25519.Signing.PrivateKey(rawRepresentation: signingKey)
        )
    }

    /// Identifies this pair of secrets without revealing them: the database records it on first use and refuses others.
    var fingerprint: Data {
        let label = Data("keyway secrets fingerprint".utf8) + signingKey.publicKey.rawRepresentation
        return Data(HMAC<SHA256>.authenticationCode(for: label, using: codeKey))
    }

    /// The keyed digest a code is stored and looked up by.
    func digest(ofCode code: String) -> CodeDigest {
        CodeDigest(HMAC<SHA256>.authenticationCode(for: Data(code.utf8), using: codeKey))
    }
}

/// HMAC-SHA256 of a code, held inline (four words) so the cache can key on it without allocating.
struct CodeDigest: Hashable, Sendable {
    let words: (UInt64, UInt64, UInt64, UInt64)

    init(_ mac: HashedAuthenticationCode<SHA256>) {
        self.init(bytes: Data(mac))
    }

    init(bytes: Data) {
        precondition(bytes.count == 32, "a SHA-256 digest is 32 bytes")
        let word = { (i: Int) in bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) } }
        words = (word(0), word(1), word(2), word(3))
    }

    var bytes: Data {
        withUnsafeBytes(of: words) { Data($0) }
    }

    static func == (a: CodeDigest, b: CodeDigest) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
    }
}

public enum SecretFileError: Error, Equatable, CustomStringConvertible {
    case tooPermissive(URL, mode: mode_t)
    case malformed(URL)
    case io(URL, String)
    /// The database already holds codes made with secrets, and this file is not there.
    case missing(URL)
    /// The database was first used with other secrets than these.
    case notThisDatabase(URL, database: URL)
    /// A secret is never written through a symbolic link: whoever can plant one chooses where the key lands.
    case symbolicLink(URL)
    /// Not a regular file (a folder, a FIFO, a device).
    case notARegularFile(URL)
    case tooLong(URL, maximum: Int)

    public var description: String {
        switch self {
        case .tooPermissive(let url, let mode):
            "secret file \(url.path) has mode \(String(mode & 0o777, radix: 8)); it must be readable by its owner only (chmod 600)"
        case .malformed(let url): "secret file \(url.path) is malformed (wrong length)"
        case .io(let url, let message): "secret file \(url.path): \(message)"
        case .missing(let url):
            "secret file \(url.path) is missing, and the database already holds codes made with its secrets: "
                + "restore it, or give the --secrets (or --config) the database was created with"
        case .notThisDatabase(let url, let database):
            "secret file \(url.path) is not the one database \(database.path) was created with: "
                + "give the --secrets (or --config) the database was created with"
        case .symbolicLink(let url):
            "secret file \(url.path) is a symbolic link; a secret is only written to a plain file path (remove the link)"
        case .notARegularFile(let url): "secret file \(url.path) is not a regular file"
        case .tooLong(let url, let maximum): "secret file \(url.path) is longer than \(maximum) bytes"
        }
    }
}

/// Secret files (the site's keys, an OSDP reader's Secure Channel key): the one reader and writer of files only their
/// owner may read. A file is written whole to a new private 0600 temporary beside it (created exclusively, never
/// through a link) and synced, then put in place in one step, so no reader ever sees a half-written key, nor a key
/// readable by others for a moment. Files that others may read, or write, are refused.
public enum SecretFile {
    static func read(at url: URL, length: Int, creatingMissing: Bool, make: () -> Data) throws -> Data {
        if let existing = try read(at: url, length: length) { return existing }
        guard creatingMissing else { throw SecretFileError.missing(url) }
        try create(at: url, contents: make())
        // Whoever created it first won; everyone uses that file.
        guard let stored = try read(at: url, length: length) else { throw SecretFileError.io(url, "vanished after creation") }
        return stored
    }

    /// Creates the file with `contents` unless it exists; returns false when it already did (its content is kept).
    /// A symbolic link in its place is refused, even one pointing nowhere.
    @discardableResult
    public static func create(at url: URL, contents: Data) throws(SecretFileError) -> Bool {
        try refuseSymbolicLink(at: url)
        let temporary = try writeTemporary(beside: url, contents)
        defer { unlink(temporary.path) }
        // link(2) never follows a link at the destination and fails if anything is there.
        guard link(temporary.path, url.path) == 0 else {
            guard errno == EEXIST else { throw .io(url, String(cString: strerror(errno))) }
            try refuseSymbolicLink(at: url)
            return false
        }
        syncFolder(of: url)
        return true
    }

    /// Puts `contents` in place of whatever the file held (a new key replacing the old one), mode 0600 whatever
    /// the old file's mode was. A symbolic link in its place is refused rather than replaced or written through.
    public static func replace(at url: URL, contents: Data) throws(SecretFileError) {
        try refuseSymbolicLink(at: url)
        let temporary = try writeTemporary(beside: url, contents)
        // rename(2) replaces the directory entry itself: a link planted after the check is replaced, not followed.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw .io(url, reason)
        }
        syncFolder(of: url)
    }

    /// The whole of a secret file that only its owner may read or write (a key file given to a command), at most
    /// `maximumLength` bytes. The mode is checked on the file actually opened.
    public static func contents(at url: URL, maximumLength: Int) throws(SecretFileError) -> Data {
        guard let data = try contentsIfPresent(at: url, maximumLength: maximumLength) else {
            throw .io(url, String(cString: strerror(ENOENT)))
        }
        return data
    }

    private static func refuseSymbolicLink(at url: URL) throws(SecretFileError) {
        var status = stat()
        if lstat(url.path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK { throw .symbolicLink(url) }
    }

    private static func writeTemporary(beside url: URL, _ contents: Data) throws(SecretFileError) -> URL {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        let fd = open(temporary.path, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(url, String(cString: strerror(errno))) }
        // Exactly 0600, whatever the umask.
        let modeSet = fchmod(fd, 0o600) == 0
        let written = contents.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard modeSet, written == contents.count, synced else {
            unlink(temporary.path)
            throw .io(url, "could not write the new secret")
        }
        return temporary
    }

    /// Makes the new name durable: without it a power cut after the rename can bring back the old key.
    private static func syncFolder(of url: URL) {
        let fd = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private static func read(at url: URL, length: Int) throws -> Data? {
        guard let data = try contentsIfPresent(at: url, maximumLength: length) else { return nil }
        guard data.count == length else { throw SecretFileError.malformed(url) }
        return data
    }

    /// nil when there is no such file. Opened without blocking (a FIFO is refused, not waited on), then checked.
    private static func contentsIfPresent(at url: URL, maximumLength: Int) throws(SecretFileError) -> Data? {
        let fd = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .io(url, String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .io(url, String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(url) }
        guard status.st_mode & 0o077 == 0 else { throw .tooPermissive(url, mode: status.st_mode) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { readBytes(fd, into: $0) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .io(url, String(cString: strerror(errno))) }
            if count == 0 { return data }
            data.append(contentsOf: buffer[..<count])
            guard data.count <= maximumLength else { throw .tooLong(url, maximum: maximumLength) }
        }
    }
}

/// read(2), out of `SecretFile`'s scope, where `read` names its own methods.
private func readBytes(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
    read(fd, buffer.baseAddress, buffer.count)
}
