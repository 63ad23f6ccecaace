import Access
import Foundation
import HTTPTypes
import Hummingbird

struct ActivityPage: Encodable {
    let site: String
    let entries: [ActivityEntry]
    /// Give as `cursor` for the next (older) page; nil on the last page.
    let nextCursor: String?
}

extension KeywayAPI {
    func addActivityRoutes(_ v1: RouterGroup<APIContext>) {
        v1.get("activity") { request, context in
            let caller = try await self.inUnit(try await self.caller(request, context))
            var query = try self.activityQuery(request, caller)
            if let cursor = request.uri.queryParameters["cursor"] {
                guard let before = Int64(cursor), before > 0 else { throw APIError.invalid("cursor is a next_cursor from an earlier page") }
                query.before = before
            }
            let entries = try await self.access.activity(query)
            let next = entries.count == query.limit ? entries.last.map { String($0.sequence) } : nil
            return JSONBody.response(ActivityPage(site: self.accounts.siteID, entries: entries, nextCursor: next))
        }
        v1.get("activity/stream") { request, context in try await self.stream(request, context) }
    }

    /// The filters of a page or stream, narrowed to what the caller may see.
    func activityQuery(_ request: Request, _ caller: Caller) throws -> ActivityQuery {
        let parameters = request.uri.queryParameters
        var query = ActivityQuery(limit: try Input.pageSize(parameters["limit"]))
        func text(_ name: String) throws(APIError) -> String? {
            guard let value = parameters[name[...]] else { return nil }
            return try Input.text(String(value), name, max: APILimits.nameLength)
        }
        query.from = try Input.date(try text("from"), "from")
        query.until = try Input.date(try text("until"), "until")
        query.door = try text("door")
        query.person = try text("person")
        query.credential = try text("credential")
        if let result = try text("result") {
            guard result == "grant" || result == "deny" else { throw APIError.invalid("result is grant or deny") }
            query.outcome = result
        }
        if let reason = try text("reason") {
            guard DenyReason(rawValue: reason) != nil else { throw APIError.invalid("reason \(reason) is not a deny reason") }
            query.reason = reason
        }
        if let door = query.door, !caller.mayReach(door: door) { throw APIError.forbidden("this API token is not for door \(door)") }
        query.doors = caller.token?.doors
        if caller.role < .staff {
            var scope = ActivityScope(personID: caller.user.personID, userID: caller.user.id)
            scope.unitID = caller.unitID
            query.scope = scope
        }
        return query
    }

    /// New entries as Server-Sent Events (`id:` the sequence, `data:` the entry), from `Last-Event-ID` or from now on.
    private func stream(_ request: Request, _ context: APIContext) async throws -> Response {
        let caller = try await inUnit(try await caller(request, context))
        var query = try activityQuery(request, caller)
        query.limit = 100
        let start: Int64
        if let lastEvent = request.headers[HTTPField.Name("Last-Event-ID")!] {
            guard let sequence = Int64(lastEvent), sequence >= 0 else { throw APIError.invalid("Last-Event-ID is an entry's sequence") }
            start = sequence
        } else {
            start = try await access.activity(ActivityQuery(limit: 1)).first?.sequence ?? 0
        }
        let filter = query
        return try eventStream(event: "activity", from: start, batch: query.limit) { api, after in
            var query = filter
            query.after = after
            return try await api.access.activity(query).map { ($0.sequence, $0) }
        }
    }

    /// A live stream of Server-Sent Events (`id:` a log sequence, `event:` the name, `data:` the item as JSON): `next`
    /// gives the items after a sequence, oldest first, at most `batch` at a time; polled until the stream's life ends.
    func eventStream<Item: Encodable & Sendable>(event: String, from start: Int64, batch: Int,
                                                 next: @escaping @Sendable (KeywayAPI, Int64) async throws -> [(Int64, Item)]) throws -> Response {
        // Each stream polls the database: their number is bounded (counted down when the body ends).
        guard openStreams.add(1, ordering: .relaxed).newValue <= settings.maximumStreams else {
            openStreams.subtract(1, ordering: .relaxed)
            throw APIError(.tooManyRequests, "too_many_streams", "at most \(settings.maximumStreams) log streams are open at once; try again later",
                           retryAfter: 30)
        }
        let from = start, api = self
        let body = ResponseBody { writer in
            defer { api.openStreams.subtract(1, ordering: .relaxed) }
            var start = from
            let deadline = ContinuousClock.now + api.settings.streamLifetime
            var lastWrite = ContinuousClock.now
            try await writer.write(ByteBuffer(string: ": keyway \(event)\n\n"))
            while !api.stopping.load(ordering: .acquiring), ContinuousClock.now < deadline, !Task.isCancelled {
                let items = try await next(api, start)
                for (sequence, item) in items {
                    let data = String(decoding: try JSONBody.encoder.encode(item), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "id: \(sequence)\nevent: \(event)\ndata: \(data)\n\n"))
                    start = sequence
                    lastWrite = ContinuousClock.now
                }
                guard items.count < batch else { continue }
                if ContinuousClock.now - lastWrite > .seconds(15) {
                    try await writer.write(ByteBuffer(string: ": still here\n\n"))
                    lastWrite = ContinuousClock.now
                }
                try await Task.sleep(for: api.settings.streamPoll)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }
}
