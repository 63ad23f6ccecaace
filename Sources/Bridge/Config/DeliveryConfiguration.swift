import Foundation
import Timebase

/// `delivery:`: how share links and passcodes reach their recipient. Either channel may be left out; with neither,
/// links and codes are only shown to whoever made them.
public struct DeliveryConfiguration: Sendable, Equatable {
    public var email: EmailDelivery?
    public var sms: SMSDelivery?

    public init(email: EmailDelivery? = nil, sms: SMSDelivery? = nil) {
        self.email = email
        self.sms = sms
    }

    /// How long one send may take, end to end (connect, TLS, the whole SMTP conversation or HTTP request).
    public static let timeoutLimits = DurationLimits(minimum: .seconds(1), maximum: .seconds(300), reason: "five minutes")
    public static let defaultTimeout = Duration.seconds(30)
}

/// A password or token read from a 0600 file; it never prints.
public struct SecretText: Sendable, Equatable, CustomStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<secret>" }
}

/// `delivery.email`: an SMTP relay (submission, usually port 587 with STARTTLS).
public struct EmailDelivery: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The sender's address, and the name shown with it (`Keyway <keyway@example.org>`).
    public var fromAddress: String
    public var fromName: String?
    public var starttls: StartTLS
    /// A CA certificate (PEM) the relay's certificate must chain to, for a relay with a local CA; nil: the system's.
    public var caFile: URL?
    /// AUTH PLAIN (or LOGIN) with the password from `password_file`; nil: no authentication.
    public var username: String?
    public var password: SecretText?
    public var timeout: Duration = DeliveryConfiguration.defaultTimeout

    public init(host: String, port: Int, fromAddress: String, fromName: String? = nil, starttls: StartTLS = .required,
                caFile: URL? = nil, username: String? = nil, password: SecretText? = nil) {
        self.host = host
        self.port = port
        self.fromAddress = fromAddress
        self.fromName = fromName
        self.starttls = starttls
        self.caFile = caFile
        self.username = username
        self.password = password
    }

    /// `required`: the relay must offer STARTTLS and show a valid certificate for `host`, or nothing is sent.
    /// `none`: plain text (a relay on this machine or a trusted segment only); then no password is sent either.
    public enum StartTLS: String, Sendable, Equatable, CaseIterable {
        case required
        case plaintext = "none"
    }
}

/// `delivery.sms`: an HTTP request to an SMS gateway, from a template.
public struct SMSDelivery: Sendable, Equatable {
    public var method: Method
    public var url: String
    /// `Name: value` headers; `{credentials}` in a value is replaced by the credentials file's content.
    public var headers: [(name: String, value: String)]
    /// The body, with `{to}`, `{text}` and `{credentials}` replaced, each escaped for `encoding`.
    public var body: String
    public var encoding: BodyEncoding
    public var credentials: SecretText?
    public var timeout: Duration = DeliveryConfiguration.defaultTimeout

    public init(method: Method = .post, url: String, headers: [(name: String, value: String)] = [], body: String,
                encoding: BodyEncoding = .json, credentials: SecretText? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.encoding = encoding
        self.credentials = credentials
    }

    public enum Method: String, Sendable, Equatable, CaseIterable {
        case post = "POST"
        case put = "PUT"
    }

    /// `json`: a placeholder stands inside a JSON string (`"to": "{to}"`) and is escaped as one.
    /// `form`: `application/x-www-form-urlencoded`, each placeholder percent-encoded (`to={to}&text={text}`).
    public enum BodyEncoding: String, Sendable, Equatable, CaseIterable {
        case json
        case form

        var contentType: String { self == .json ? "application/json" : "application/x-www-form-urlencoded" }
    }

    public static let placeholders = ["{to}", "{text}", "{credentials}"]
    public static let longestBody = 8192

    public static func == (left: SMSDelivery, right: SMSDelivery) -> Bool {
        left.method == right.method && left.url == right.url && left.body == right.body && left.encoding == right.encoding
            && left.credentials == right.credentials && left.timeout == right.timeout
            && left.headers.map(\.name) == right.headers.map(\.name) && left.headers.map(\.value) == right.headers.map(\.value)
    }
}
