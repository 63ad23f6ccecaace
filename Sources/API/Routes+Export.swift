import Access
import Foundation
import Hummingbird

/// CSV exports, streamed a page at a time so a log of millions of rows never sits in memory.
extension KeywayAPI {
    static let activityCSVHeader = "sequence,at,kind,event,door,reader,credential,person,outcome,reason,detail,actor\r\n"

    func addExportRoutes(_ v1: RouterGroup<APIContext>) {
        // The activity log with the filters and scope of GET /activity, newest first, RFC 4180.
        v1.get("activity.csv") { request, context in
            let caller = try await self.inUnit(try await self.caller(request, context))
            var query = try self.activityQuery(request, caller)
            query.limit = APILimits.pageSize.upperBound
            // The first page before the answer starts: a filter naming no door or person is a 4xx, not a broken stream.
            let first = try await self.access.activity(query)
            let api = self, filter = query
            let body = ResponseBody { writer in
                var query = filter
                var page: [ActivityEntry]? = first
                try await writer.write(ByteBuffer(string: Self.activityCSVHeader))
                while !api.stopping.load(ordering: .acquiring), !Task.isCancelled {
                    let entries: [ActivityEntry]
                    if let first = page { entries = first } else { entries = try await api.access.activity(query) }
                    page = nil
                    var chunk = ""
                    for entry in entries { chunk += CSV.line(Self.fields(of: entry)) }
                    try await writer.write(ByteBuffer(string: chunk))
                    guard entries.count == query.limit, let last = entries.last else { break }
                    query.before = last.sequence
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                                                   .contentDisposition: "attachment; filename=\"activity.csv\""], body: body)
        }
    }

    private static func fields(of entry: ActivityEntry) -> [String] {
        [String(entry.sequence), Timestamp.format(entry.at), entry.kind.rawValue, entry.event ?? "", entry.door ?? "", entry.reader ?? "",
         entry.credentialID ?? "", entry.personID ?? "", entry.outcome ?? "", entry.reason ?? "", entry.detail ?? "", entry.actor ?? ""]
    }
}

/// RFC 4180 lines. A field a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is
/// prefixed with `'`: names and details come from outside.
enum CSV {
    static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
