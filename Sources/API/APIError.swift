import Access
import Foundation
import Hummingbird
import NIOCore

/// Every refusal of the API: a status, a stable machine-readable code and a sentence for people, as
/// `{"error": {"code": …, "message": …}}`. Nothing from outside ever gets a trap or a bare 500.
public struct APIError: HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Seconds to wait (429).
    var retryAfter: Int?

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    static func invalid(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }
    static let unauthenticated = APIError(.unauthorized, "unauthenticated", "log in (POST /api/v1/session) or give an API token as Authorization: Bearer")
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "forbidden", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response(ErrorBody(error: .init(code: code, message: message)), status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
        }
        let error: Detail
    }

    /// The API's answer to an error the access core or the storage raised.
    static func from(_ error: AccessError) -> APIError {
        switch error {
        case .notFound: APIError(.notFound, "not_found", error.description)
        case .invalid: APIError(.unprocessableContent, "refused", error.description)
        case .conflict: APIError(.conflict, "conflict", error.description)
        case .corrupt: APIError(.internalServerError, "internal_error", "the database holds something this version cannot read")
        // The service's database file was deleted or replaced: nothing is read or written until it is back.
        case .databaseFile: APIError(.serviceUnavailable, "database_unavailable", error.description)
        }
    }
}

/// Turns whatever a handler or Hummingbird throws into an `APIError` response, and logs the unexpected.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as AccessError {
            if case .corrupt = error { context.logger.error("api: database", metadata: ["error": "\(error)"]) }
            throw APIError.from(error)
        } catch let refusal as SharingRefusal {
            // The managers' sharing policy (or a share's parent) refused: the code names the rule.
            throw APIError(.unprocessableContent, "policy_\(refusal.rule.rawValue)", refusal.description)
        } catch let error as HTTPError {
            throw APIError(error.status, error.status == .contentTooLarge ? "body_too_large" : "http_\(error.status.code)",
                           error.status == .contentTooLarge
                               ? "the request body is longer than \(APILimits.bodySize) bytes" : (error.body ?? error.status.reasonPhrase))
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "body_too_large", "the request body is longer than \(APILimits.bodySize) bytes")
        } catch let error as DecodingError {
            throw APIError.invalid(DecodingProblem.describe(error))
        } catch {
            context.logger.error("api: request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(.internalServerError, "internal_error", "the request failed on the server; see the service log")
        }
    }
}

/// A JSON decoding error worded for the person who sent the body.
enum DecodingProblem {
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the body" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "missing field \"\(key.stringValue)\"" + (parent == "the body" ? "" : " in \(parent)")
        case .typeMismatch(let type, let context): return "\(path(context)) must be \(JSONBody.describe(type))"
        case .valueNotFound(let type, let context): return "\(path(context)) must be \(JSONBody.describe(type)), not null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the body is not JSON" : "\(path(context)): \(context.debugDescription)"
        @unknown default: return "the body could not be read"
        }
    }
}
