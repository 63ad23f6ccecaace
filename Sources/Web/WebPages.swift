import API
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The web pages: server-rendered shells on the API's listener. They read the API's cookie session to decide who
/// sees what; their script acts through the API's routes (the same session and CSRF token), so there is one auth.
public struct WebPages: Sendable {
    let api: KeywayAPI
    let library: MustacheLibrary

    public init(api: KeywayAPI) {
        self.api = api
        var library = MustacheLibrary()
        for (name, text) in Templates.all {
            // The templates are constants of this file's module: one that does not parse is a programming error,
            // caught by the first test that renders a page.
            guard let template = try? MustacheTemplate(string: text) else { preconditionFailure("template \(name) does not parse") }
            library.register(template, named: name)
        }
        self.library = library
    }

    /// Adds the pages to the API's router (`APIServer`'s `pages:`).
    public static func add(_ api: KeywayAPI, to router: Router<APIContext>) {
        WebPages(api: api).add(to: router)
    }

    public func add(to router: Router<APIContext>) {
        router.get("/") { request, context in
            guard let viewer = await api.pageViewer(request, context) else { return Self.redirect("/login") }
            return Self.redirect(viewer.isStaff ? "/manage" : "/doors")
        }
        router.get("/login") { request, context in
            if let viewer = await api.pageViewer(request, context) { return Self.redirect(viewer.isStaff ? "/manage" : "/doors") }
            return render("login", title: "Log in", viewer: nil)
        }
        router.get("/set-password/:secret") { _, _ in render("set-password", title: "Set your password", viewer: nil) }
        for page in Page.all {
            router.get(RouterPath(stringLiteral: page.path)) { request, context in
                guard let viewer = await api.pageViewer(request, context) else { return Self.redirect("/login") }
                guard page.isShown(to: viewer) else {
                    return render("message", title: "Not for this account", viewer: viewer, status: .forbidden,
                                  extra: viewer.isStaff
                                      ? ["text": "This page is for the building's administrators. Your account cannot see it.",
                                         "back": "/manage", "backLabel": "Back to visitor access"]
                                      : ["text": "This page is for the building's managers. Your account cannot see it.",
                                         "back": "/doors", "backLabel": "Back to my doors"])
                }
                return render(page.template, title: page.title, viewer: viewer, current: page.path, scripts: page.scripts)
            }
        }
        router.get("/k/:token") { request, context in
            let token = context.parameters.get("token") ?? ""
            return await guestLink(token, viewer: await api.pageViewer(request, context))
        }
        router.get("/assets/:name") { _, context in
            guard let name = context.parameters.get("name"), let asset = Assets.all[name] else {
                return Response(status: .notFound, headers: Self.headers(contentType: "text/plain; charset=utf-8"),
                                body: .init(byteBuffer: ByteBuffer(string: "no such file\n")))
            }
            return Response(status: .ok, headers: Self.headers(contentType: asset.contentType),
                            body: .init(byteBuffer: ByteBuffer(string: asset.text)))
        }
    }

    // MARK: The guest link

    private func guestLink(_ token: String, viewer: PageViewer?) async -> Response {
        guard let key = await api.sharedKey(token: token) else {
            return render("guest-link", title: "This link does not work", viewer: viewer, status: .notFound,
                          extra: ["notice": "This link is not one this building issued. Check that it was copied whole, or ask for a new one."])
        }
        var extra: [String: Any] = ["sharedBy": key.sharedBy]
        switch key.standing {
        case .active:
            extra["active"] = true
            extra["doorWords"] = key.doors.count == 1 ? "the door \(key.doors[0])" : "\(key.doors.count) doors"
            extra["doors"] = key.doors.map { ["name": $0] }
            if let end = key.validUntil {
                extra["until"] = Self.format(end)
                extra["untilISO"] = Self.iso(end)
            }
            return render("guest-link", title: "Your key", viewer: viewer, extra: extra)
        case .revoked:
            extra["notice"] = "This link was revoked\(key.revokedAt.map { " on \(Self.format($0))" } ?? ""). It no longer opens any door. Ask \(key.sharedBy) if you still need to come in."
            return render("guest-link", title: "This link was revoked", viewer: viewer, status: .gone, extra: extra)
        case .expired:
            extra["notice"] = "This link expired\(key.validUntil.map { " on \(Self.format($0))" } ?? ""). It no longer opens any door. Ask \(key.sharedBy) for a new one."
            return render("guest-link", title: "This link has expired", viewer: viewer, status: .gone, extra: extra)
        case .notYetValid:
            extra["notice"] = "This link starts working\(key.validFrom.map { " on \(Self.format($0))" } ?? " later"). Come back then."
            return render("guest-link", title: "Not yet", viewer: viewer, extra: extra)
        }
    }

    // MARK: Rendering

    func render(_ template: String, title: String, viewer: PageViewer?, current: String? = nil, scripts: [String] = [],
                status: HTTPResponse.Status = .ok, extra: [String: Any] = [:]) -> Response {
        var object: [String: Any] = ["title": title, "page": template, "scripts": scripts]
        if let viewer {
            object["viewer"] = [
                "name": viewer.name,
                "nav": Page.all.filter { $0.isShown(to: viewer) }.map { page -> [String: Any] in
                    ["href": page.path, "label": page.title, "current": page.path == current]
                },
            ] as [String: Any]
        }
        let channels = api.messageChannels
        if !channels.isEmpty {
            // Where a code may be sent, in words for the hint: "e-mail address or phone number".
            object["sends"] = ["to": [channels.contains(.email) ? "an e-mail address" : nil, channels.contains(.sms) ? "a phone number (+ and digits)" : nil]
                .compactMap { $0 }.joined(separator: " or ")]
        }
        object.merge(extra) { _, new in new }
        let html = library.render(object, withTemplate: template) ?? ""
        var headers = Self.headers(contentType: "text/html; charset=utf-8")
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ location: String) -> Response {
        var headers = headers(contentType: "text/plain; charset=utf-8")
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// Every page and file: a strict CSP (scripts, styles and connections only from here, no inline code, no
    /// frames), no sniffing, no referrer (a share link's token is in its URL), no powerful features.
    static func headers(contentType: String) -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        for (name, value) in securityHeaders { fields[name] = value }
        return fields
    }

    static let securityHeaders: [(HTTPField.Name, String)] = [
        (HTTPField.Name("Content-Security-Policy")!,
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("Cross-Origin-Opener-Policy")!, "same-origin"),
        (HTTPField.Name("Cross-Origin-Resource-Policy")!, "same-origin"),
        (HTTPField.Name("Permissions-Policy")!, "camera=(), microphone=(), geolocation=(), payment=()"),
    ]

    /// Dates as people read them (the page's script rewrites `data-local` times in the reader's own time zone).
    static func format(_ date: Date) -> String {
        date.formatted(.dateTime.day().month(.abbreviated).year().hour().minute().timeZone())
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }
}

/// The pages behind a login, in the order of the navigation.
struct Page: Sendable {
    let path: String
    let title: String
    let template: String
    let staffOnly: Bool
    /// The page's own script files in `Assets.all`, loaded after the shared `keyway.js`.
    var scripts: [String] = []
    /// Admins only (staff get the 403 page, as residents do on staff pages).
    var adminOnly = false

    static let all: [Page] = [
        Page(path: "/doors", title: "My doors", template: "doors", staffOnly: false),
        Page(path: "/share", title: "Share a key", template: "share", staffOnly: false),
        Page(path: "/passcode", title: "Guest passcode", template: "passcode", staffOnly: false),
        Page(path: "/guests", title: "My guests", template: "guests", staffOnly: false),
        Page(path: "/manage", title: "Visitor access", template: "manage", staffOnly: true),
        Page(path: "/activity", title: "Activity log", template: "activity", staffOnly: true),
        Page(path: "/site-doors", title: "Doors", template: "site-doors", staffOnly: true, scripts: ["site-doors.js"]),
        Page(path: "/alerts", title: "Alerts", template: "alerts", staffOnly: true, scripts: ["alerts.js"]),
        Page(path: "/people", title: "People", template: "people", staffOnly: true, scripts: ["people.js"]),
        Page(path: "/units", title: "Units", template: "units", staffOnly: true, scripts: ["people.js"]),
        Page(path: "/users", title: "Users & API tokens", template: "users", staffOnly: true, scripts: ["users.js"], adminOnly: true),
        Page(path: "/policy", title: "Policy", template: "policy", staffOnly: true, scripts: ["policy.js"], adminOnly: true),
        Page(path: "/webhooks", title: "Webhooks", template: "webhooks", staffOnly: true, scripts: ["webhooks.js"], adminOnly: true),
    ]

    func isShown(to viewer: PageViewer) -> Bool {
        (!staffOnly || viewer.isStaff) && (!adminOnly || viewer.isAdmin)
    }
}
