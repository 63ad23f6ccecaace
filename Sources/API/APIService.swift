import Access
import Bridge
import Hummingbird
import Logging
import ServiceLifecycle

/// The HTTP API as `keyway serve` runs it: on the site's database and running doors, when `http:` is configured.
public enum APIService {
    public static func services(for site: RunningSite,
                                pages: @escaping @Sendable (KeywayAPI, Router<APIContext>) -> Void = { _, _ in }) throws -> [any Service] {
        guard let http = site.configuration.http else { return [] }
        let storage = try SQLiteSiteStorage(access: site.access)
        var settings = APISettings(publicURL: http.publicURL, secureCookies: http.secureCookies)
        settings.messageChannels = Set([site.configuration.delivery?.email.map { _ in MessageChannel.email },
                                        site.configuration.delivery?.sms.map { _ in MessageChannel.sms }].compactMap { $0 })
        let api = KeywayAPI(accounts: storage, access: storage, site: SupervisedSite(supervisor: site.supervisor), settings: settings)
        let supervisor = site.supervisor
        return [APIServer(api: api, host: http.listen.host, port: http.listen.port, pages: pages,
                          onListening: { _ in await supervisor.runtime.faults.clear("api") },
                          onFailure: { error in _ = await supervisor.runtime.faults.report("api", "cannot serve on \(http.listen): \(error)") })]
    }
}
