import Access
import Foundation
import HTTPTypes
import Hummingbird

/// An alert as the API shows it: its activity row's fields, its kind, and its acknowledgement.
struct AlertView: Encodable, Sendable {
    /// The activity row's sequence: the alert's id.
    let sequence: Int64
    let kind: String
    let at: Date
    let event: String?
    let door: String?
    let reader: String?
    let credentialID: String?
    let personID: String?
    let reason: String?
    let detail: String?
    let acknowledged: Bool
    let acknowledgedBy: String?
    let acknowledgedByName: String?
    let acknowledgedAt: Date?

    init(_ alert: Alert) {
        sequence = alert.entry.sequence
        kind = alert.kind.rawValue
        at = alert.entry.at
        event = alert.entry.event
        door = alert.entry.door
        reader = alert.entry.reader
        credentialID = alert.entry.credentialID
        personID = alert.entry.personID
        reason = alert.entry.reason
        detail = alert.entry.detail
        acknowledged = alert.acknowledgedBy != nil
        acknowledgedBy = alert.acknowledgedBy
        acknowledgedByName = alert.acknowledgedByName
        acknowledgedAt = alert.acknowledgedAt
    }
}

struct AlertPage: Encodable {
    let site: String
    let alerts: [AlertView]
    /// Give as `cursor` for the next (older) page; nil on the last page.
    let nextCursor: String?
}

extension KeywayAPI {
    func addAlertRoutes(_ v1: RouterGroup<APIContext>) {
        v1.get("alerts") { request, context in
            var query = try self.alertQuery(request, try await self.caller(request, context))
            if let cursor = request.uri.queryParameters["cursor"] {
                guard let before = Int64(cursor), before > 0 else { throw APIError.invalid("cursor is a next_cursor from an earlier page") }
                query.before = before
            }
            let alerts = try await self.access.alerts(query)
            let next = alerts.count == query.limit ? alerts.last.map { String($0.entry.sequence) } : nil
            return JSONBody.response(AlertPage(site: self.accounts.siteID, alerts: alerts.map(AlertView.init), nextCursor: next))
        }
        v1.get("alerts/stream") { request, context in
            var query = try self.alertQuery(request, try await self.caller(request, context))
            query.limit = 100
            let start: Int64
            if let lastEvent = request.headers[HTTPField.Name("Last-Event-ID")!] {
                guard let sequence = Int64(lastEvent), sequence >= 0 else { throw APIError.invalid("Last-Event-ID is an alert's sequence") }
                start = sequence
            } else {
                start = try await self.access.activity(ActivityQuery(limit: 1)).first?.sequence ?? 0
            }
            let filter = query
            return try self.eventStream(event: "alert", from: start, batch: query.limit) { api, after in
                var query = filter
                query.after = after
                return try await api.access.alerts(query).map { ($0.entry.sequence, AlertView($0)) }
            }
        }
        v1.post("alerts/:sequence/acknowledge") { request, context in
            let caller = try await self.caller(request, context)
            try caller.require(.staff, "acknowledging an alert")
            guard let sequence = Int64(try Input.path(context, "sequence")), sequence > 0 else {
                throw APIError.invalid("an alert is named by its sequence, a positive whole number")
            }
            // A door-limited token sees, and acknowledges, only its doors' alerts.
            var visible = AlertQuery(limit: 1)
            visible.sequence = sequence
            visible.doors = caller.token?.doors
            guard try await self.access.alerts(visible).first != nil,
                  let alert = try await self.access.acknowledgeAlert(sequence, actor: caller.actor, at: Date()) else {
                throw APIError.notFound("no alert \(sequence)")
            }
            return JSONBody.response(AlertView(alert))
        }
    }

    /// The filters of a page or stream of alerts: staff and admins only, a door-limited token's doors only.
    private func alertQuery(_ request: Request, _ caller: Caller) throws -> AlertQuery {
        try caller.require(.staff, "alerts")
        let parameters = request.uri.queryParameters
        var query = AlertQuery(limit: try Input.pageSize(parameters["limit"]))
        func text(_ name: String) throws(APIError) -> String? {
            guard let value = parameters[name[...]] else { return nil }
            return try Input.text(String(value), name, max: APILimits.nameLength)
        }
        if let kinds = try text("kind") {
            query.kinds = try kinds.split(separator: ",", omittingEmptySubsequences: false).map { name throws(APIError) in
                let name = name.trimmingCharacters(in: .whitespaces)
                guard let kind = AlertKind(rawValue: name) else {
                    throw .invalid("kind \(name.prefix(60)) is not an alert kind; known: \(AlertKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }
        }
        query.from = try Input.date(try text("from"), "from")
        query.until = try Input.date(try text("until"), "until")
        if let from = query.from, let until = query.until, until <= from { throw APIError.invalid("until must be after from") }
        query.door = try text("door")
        if let acknowledged = try text("acknowledged") {
            guard let value = Bool(acknowledged) else { throw APIError.invalid("acknowledged is true or false") }
            query.acknowledged = value
        }
        if let door = query.door, !caller.mayReach(door: door) { throw APIError.forbidden("this API token is not for door \(door)") }
        query.doors = caller.token?.doors
        return query
    }
}
