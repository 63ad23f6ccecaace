import Access
import Foundation

/// What the answer to a share or passcode says about sending it: `queued` (the outbox sends it, with retries).
struct DeliveryView: Encodable {
    let channel: String
    let toMasked: String
    let status: String
}

extension KeywayAPI {
    /// The message for a new share or passcode, when its recipient has an address on a configured channel.
    /// `explicit` (`send_to`) must be sendable; a share's recipient is sent to only when it can be.
    func messageRequest(to address: String?, explicit: Bool, what: MessageSubject) throws(APIError) -> (MessageRequest, DeliveryView)? {
        guard let address else { return nil }
        guard let channel = MessageChannel.of(address) else {
            if explicit { throw APIError.invalid("send_to is an e-mail address or a phone number (+ and 6 to 15 digits)") }
            return nil
        }
        guard settings.messageChannels.contains(channel) else {
            if explicit {
                throw APIError.invalid("this site sends no \(channel == .email ? "e-mail" : "SMS") (delivery.\(channel.rawValue) is not configured)")
            }
            return nil
        }
        let settings = settings
        let request = MessageRequest(channel: channel, to: address) { secret in what.text(secret: secret, channel: channel, settings: settings) }
        return (request, DeliveryView(channel: channel.rawValue, toMasked: MessageRecipient.masked(address), status: "queued"))
    }
}

/// What a message is about: its words, around the link or code (which only the sender's closure sees).
struct MessageSubject: Sendable {
    enum Kind: Sendable { case share, passcode }
    let kind: Kind
    let doors: [String]
    let validUntil: Date?

    func text(secret: String, channel: MessageChannel, settings: APISettings) -> MessageText {
        let doorList = doors.joined(separator: ", ")
        let until = validUntil.map { " It works until \(Timestamp.format($0))." } ?? ""
        switch (kind, channel) {
        case (.share, .email):
            return MessageText(subject: "A key for \(doorList)", text: """
                You have been given a key for \(doorList).\(until)

                Open this link on your phone and tap Unlock at the door:
                \(settings.shareLink(secret))

                The link is for you alone: the first phone that opens it keeps it.
                """)
        case (.share, .sms):
            return MessageText(subject: "", text: "Your key for \(doorList): \(settings.shareLink(secret))")
        case (.passcode, .email):
            return MessageText(subject: "A passcode for \(doorList)", text: """
                Your passcode for \(doorList) is \(secret)\(validUntil == nil ? "." : ".\(until)")

                Type it on the door's keypad, then the # key.
                """)
        case (.passcode, .sms):
            return MessageText(subject: "", text: "Your passcode for \(doorList): \(secret)")
        }
    }
}
