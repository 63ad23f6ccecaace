import Hummingbird
import NIOCore

/// A request as the API handles it: the peer's address (for rate limits) and a bounded body.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address; nil when not known (in-process tests).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var maxUploadSize: Int { APILimits.bodySize }

    /// The address rate limits count by: the IP alone (a client's ports change).
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
