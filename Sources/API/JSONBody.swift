import Foundation
import Hummingbird
import Synchronization

/// JSON in and out: snake_case keys, ISO 8601 dates; bodies bounded by the context.
enum JSONBody {
    static func response<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from request: Request, context: APIContext) async throws -> Value {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { throw APIError.invalid("the request needs a JSON body") }
        return try decoder.decode(type, from: Data(buffer.readableBytesView))
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type: "an integer"
        case is [String].Type: "a list of strings"
        default: "of another type"
        }
    }
}

/// Times on the wire: RFC 3339 / ISO 8601 in UTC, bounded to years a credential can mean.
enum Timestamp {
    static let earliest = Date(timeIntervalSince1970: 946_684_800)   // 2000-01-01
    static let latest = Date(timeIntervalSince1970: 4_102_444_800)   // 2100-01-01

    static func format(_ date: Date) -> String {
        formatter.withLock { $0.string(from: date) }
    }

    /// Made once: making one costs about 150 µs (ICU), which a page of activity rows paid per row. ICU's formatters
    /// are not safe to share between threads, hence the lock.
    private static let formatter: Mutex<ISO8601DateFormatter> = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return Mutex(formatter)
    }()

    /// A date given by a caller, or a 400 saying what is accepted.
    static func parse(_ text: String, field: String) throws(APIError) -> Date {
        guard text.utf8.count <= 40 else { throw .invalid("\(field) is too long to be a date") }
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
            throw .invalid("\(field) must be a date and time like 2027-01-31T18:00:00Z")
        }
        guard date >= earliest, date < latest else { throw .invalid("\(field) must fall between 2000 and 2100") }
        return date
    }
}
