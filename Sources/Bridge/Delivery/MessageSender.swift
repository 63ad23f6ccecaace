import Access
import AsyncHTTPClient
import Foundation
import NIOCore
import Timebase

/// Sends one message on its channel as `delivery:` configures it; what it throws names the step that failed.
struct MessageSender: Sendable {
    let configuration: DeliveryConfiguration
    let client: HTTPClient

    /// Where a sent message went, for the log (`smtp.example.org:587`, the gateway's host).
    func send(_ message: DueMessage) async throws -> String {
        switch message.channel {
        case .email:
            guard let email = configuration.email else { throw DeliveryError("e-mail delivery is not configured (delivery.email)") }
            try await SMTPClient(configuration: email).send(to: message.to, subject: message.message.subject, text: message.message.text)
            return "\(email.host):\(email.port)"
        case .sms:
            guard let sms = configuration.sms else { throw DeliveryError("SMS delivery is not configured (delivery.sms)") }
            try await SMSGateway(configuration: sms, client: client).send(to: message.to, text: message.message.text)
            return URLComponents(string: sms.url)?.host ?? "the SMS gateway"
        }
    }
}

/// An SMS gateway reached by an HTTP request made from the configured template.
struct SMSGateway: Sendable {
    let configuration: SMSDelivery
    let client: HTTPClient

    func send(to recipient: String, text: String) async throws {
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .init(rawValue: configuration.method.rawValue)
        request.headers.add(name: "User-Agent", value: "Keyway-Delivery/1")
        if !configuration.headers.contains(where: { $0.name.lowercased() == "content-type" }) {
            request.headers.add(name: "Content-Type", value: configuration.encoding.contentType)
        }
        for header in configuration.headers {
            request.headers.add(name: header.name, value: header.value.replacingOccurrences(of: "{credentials}", with: configuration.credentials?.value ?? ""))
        }
        request.body = .bytes(ByteBuffer(string: Self.render(configuration.body, encoding: configuration.encoding,
                                                            values: ["{to}": recipient, "{text}": text,
                                                                     "{credentials}": configuration.credentials?.value ?? ""])))
        let timeout = TimeAmount.milliseconds(Int64(configuration.timeout.seconds * 1000))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch {
            throw DeliveryError("the SMS gateway did not answer: \(error)")
        }
        // The answer's body may echo the message (and so the code): only its status is kept.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw DeliveryError("the SMS gateway answered HTTP \(response.status.code)")
        }
    }

    /// The template with each placeholder replaced in one pass (a value holding `{text}` is not replaced again),
    /// each value escaped for the body's encoding.
    static func render(_ template: String, encoding: SMSDelivery.BodyEncoding, values: [String: String]) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            output += rest[..<open]
            rest = rest[open...]
            if let (placeholder, value) = values.first(where: { rest.hasPrefix($0.key) }) {
                output += escaped(value, encoding)
                rest = rest.dropFirst(placeholder.count)
            } else {
                output += "{"
                rest = rest.dropFirst()
            }
        }
        return output + rest
    }

    static func escaped(_ value: String, _ encoding: SMSDelivery.BodyEncoding) -> String {
        switch encoding {
        case .json:
            // A JSON string's content: quotes, backslashes and control characters escaped.
            var text = ""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case _ where scalar.value < 0x20 || scalar == "\u{2028}" || scalar == "\u{2029}":
                    text += String(format: "\\u%04x", scalar.value)
                default: text.unicodeScalars.append(scalar)
                }
            }
            return text
        case .form:
            var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
            allowed.insert(charactersIn: "-._*")
            return (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "").replacingOccurrences(of: "%20", with: "+")
        }
    }
}
