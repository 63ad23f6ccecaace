import Foundation

/// The directory in bulk (CSV import and export) and the policy's listings, as the HTTP API needs them (part of
/// `AccessStorage`).
public protocol DirectoryStorage: Sendable {
    /// All or nothing; `apply` false is a dry run (see `AccessStore.importDirectory`).
    func importDirectory(_ lines: [DirectoryLine], apply: Bool, actor: String, at date: Date) async throws -> DirectoryImportResult
    func directoryUnits() async throws -> [String]
    func directoryPage(afterName: String?, limit: Int, at date: Date) async throws -> [DirectoryEntry]
    func groups() async throws -> [GroupListing]
    func schedules() async throws -> [ScheduleListing]
    func holidays() async throws -> [HolidayListing]
}

extension SQLiteSiteStorage: DirectoryStorage {
    public func importDirectory(_ lines: [DirectoryLine], apply: Bool, actor: String, at date: Date) async throws -> DirectoryImportResult {
        try await blocking { [store] in try store.importDirectory(lines, apply: apply, actor: actor, at: date) }
    }

    public func directoryUnits() async throws -> [String] {
        try await blocking { [store] in try store.directoryUnits() }
    }

    public func directoryPage(afterName: String?, limit: Int, at date: Date) async throws -> [DirectoryEntry] {
        try await blocking { [store] in try store.directoryPage(afterName: afterName, limit: limit, at: date) }
    }

    public func groups() async throws -> [GroupListing] {
        try await blocking { [store] in try store.groups() }
    }

    public func schedules() async throws -> [ScheduleListing] {
        try await blocking { [store] in try store.schedules() }
    }

    public func holidays() async throws -> [HolidayListing] {
        try await blocking { [store] in try store.holidays() }
    }
}
