/// The files the pages load, compiled into the binary: no npm, no build step, nothing from another origin.
enum Assets {
    struct File: Sendable {
        let contentType: String
        let text: String
    }

    static let all: [String: File] = [
        "keyway.css": File(contentType: "text/css; charset=utf-8", text: stylesheet),
        "keyway.js": File(contentType: "text/javascript; charset=utf-8", text: script),
        "policy.js": File(contentType: "text/javascript; charset=utf-8", text: policyScript),
        "webhooks.js": File(contentType: "text/javascript; charset=utf-8", text: webhooksScript),
        "people.js": File(contentType: "text/javascript; charset=utf-8", text: peopleScript),
        "users.js": File(contentType: "text/javascript; charset=utf-8", text: usersScript),
        "site-doors.js": File(contentType: "text/javascript; charset=utf-8", text: siteDoorsScript),
        "alerts.js": File(contentType: "text/javascript; charset=utf-8", text: alertsScript),
    ]
}
