import Access
import Foundation
import Hummingbird
import NIOCore

extension APILimits {
    /// A directory CSV upload, in bytes.
    public static let importBytes = 2 * 1024 * 1024
    /// Records in one import, the header included.
    public static let importRecords = 10_000
    /// Problems listed in one answer (the count says how many there were).
    public static let importProblemsListed = 1_000
    /// People per page of the export (each with their cards).
    static let exportPage = 200
}

/// The directory CSV: one record a line, `record` saying what it is. Units first, then people, then cards, whatever
/// the order in the file. The export writes these columns in this order; an import needs `record` and takes the
/// others in any order.
enum DirectoryCSV {
    static let columns = ["record", "name", "kind", "unit", "suspended", "person", "format", "facility", "number", "bits",
                          "valid_from", "valid_until"]
    /// The columns each kind of record may fill (the others stay empty).
    static let allowed: [String: Set<String>] = [
        "unit": ["record", "name"],
        "person": ["record", "name", "kind", "unit", "suspended"],
        "card": ["record", "person", "format", "facility", "number", "bits", "valid_from", "valid_until"],
    ]
    static let header = CSV.line(columns)

    static func line(unit: String) -> String {
        CSV.line(["unit", unit] + Array(repeating: "", count: columns.count - 2))
    }

    static func line(person: DirectoryPerson) -> String {
        CSV.line(["person", person.name, person.kind.rawValue, person.unit ?? "", person.suspended ? "true" : "false"]
                 + Array(repeating: "", count: columns.count - 5))
    }

    static func line(card: DirectoryCard) -> String {
        let fields: [String] = switch card.card {
        case .fields(let format, let facility, let number): [format, facility.map(String.init) ?? "", String(number), ""]
        case .raw(let bits): ["", "", "", String(bits.map { $0 ? "1" : "0" })]
        }
        return CSV.line(["card", "", "", "", "", card.person] + fields
                        + [card.validFrom.map(Timestamp.format) ?? "", card.validUntil.map(Timestamp.format) ?? ""])
    }

    /// The records of a file, and every problem found in them before the database is asked.
    static func parse(_ text: String) -> (lines: [DirectoryLine], problems: [ImportProblemView], header: [String], records: Int) {
        let records: [CSVReader.Record]
        do {
            records = try CSVReader.records(text, maximumRecords: APILimits.importRecords)
        } catch {
            return ([], [ImportProblemView(line: error.line, column: error.column, field: nil, message: error.message)], [], 0)
        }
        guard let headerRecord = records.first else {
            return ([], [ImportProblemView(line: 1, column: nil, field: nil, message: "the file is empty: it needs a header line naming its columns")], [], 0)
        }
        var problems: [ImportProblemView] = []
        let header = headerRecord.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for (index, name) in header.enumerated() {
            if !columns.contains(name) {
                problems.append(.init(line: headerRecord.line, column: index + 1, field: name,
                                      message: "unknown column '\(name)'; the columns are \(columns.joined(separator: ", "))"))
            } else if header[..<index].contains(name) {
                problems.append(.init(line: headerRecord.line, column: index + 1, field: name, message: "column '\(name)' is named twice"))
            }
        }
        if !header.contains("record") {
            problems.append(.init(line: headerRecord.line, column: nil, field: "record", message: "the header needs a 'record' column"))
        }
        guard problems.isEmpty else { return ([], problems, header, records.count - 1) }

        var lines: [DirectoryLine] = []
        var seen: [[String]: Int] = [:]
        for record in records.dropFirst() {
            guard record.fields.count == header.count else {
                problems.append(.init(line: record.line, column: nil, field: nil,
                                      message: "\(record.fields.count) fields; the header names \(header.count)"))
                continue
            }
            if let first = seen[record.fields] {
                problems.append(.init(line: record.line, column: nil, field: nil, message: "the same record as line \(first)"))
                continue
            }
            seen[record.fields] = record.line
            do {
                lines.append(DirectoryLine(line: record.line, record: try Self.record(record, header: header)))
            } catch {
                problems.append(error)
            }
        }
        return (lines, problems, header, records.count - 1)
    }

    private static func record(_ record: CSVReader.Record, header: [String]) throws(ImportProblemView) -> DirectoryRecord {
        var values: [String: String] = [:]
        for (name, value) in zip(header, record.fields) {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { values[name] = trimmed }
        }
        func problem(_ field: String?, _ message: String) -> ImportProblemView {
            ImportProblemView(line: record.line, column: field.flatMap { header.firstIndex(of: $0) }.map { $0 + 1 }, field: field,
                              message: message)
        }
        func text(_ field: String) throws(ImportProblemView) -> String? {
            guard let value = values[field] else { return nil }
            do { return try Input.text(CSV.unprotected(value), field, max: APILimits.nameLength) } catch { throw problem(field, error.message) }
        }
        guard let kind = values["record"] else { throw problem("record", "record is unit, person or card") }
        guard let allowed = allowed[kind] else { throw problem("record", "record is unit, person or card, not '\(kind)'") }
        if let extra = header.first(where: { values[$0] != nil && !allowed.contains($0) }) {
            throw problem(extra, "a \(kind) record leaves \(extra) empty")
        }
        switch kind {
        case "unit":
            guard let name = try text("name") else { throw problem("name", "a unit needs a name") }
            return .unit(name)
        case "person":
            guard let name = try text("name") else { throw problem("name", "a person needs a name") }
            var personKind = PersonKind.resident
            if let given = values["kind"] {
                guard let known = PersonKind(rawValue: given.lowercased()) else {
                    throw problem("kind", "kind is \(PersonKind.allCases.map(\.rawValue).joined(separator: ", ")), not '\(given)'")
                }
                personKind = known
            }
            let suspended: Bool
            switch values["suspended"]?.lowercased() {
            case nil, "false": suspended = false
            case "true": suspended = true
            case let other?: throw problem("suspended", "suspended is true or false (empty: false), not '\(other)'")
            }
            return .person(DirectoryPerson(name: name, kind: personKind, unit: try text("unit"), suspended: suspended))
        default:
            guard let person = try text("person") else { throw problem("person", "a card needs the person who holds it") }
            let card: CardData
            do {
                card = try CardData.parse(format: values["format"], facility: values["facility"], number: values["number"], bits: values["bits"])
            } catch {
                throw problem(error.field, "\(error.field): \(error.message)")
            }
            var window: [Date?] = []
            for field in ["valid_from", "valid_until"] {
                do { window.append(try Input.date(values[field], field)) } catch { throw problem(field, error.message) }
            }
            return .card(DirectoryCard(person: person, card: card, validFrom: window[0], validUntil: window[1]))
        }
    }
}

extension CSV {
    /// A field as it was before `field` kept a spreadsheet from running it: `'=x` is `=x`.
    static func unprotected(_ value: String) -> String {
        guard value.hasPrefix("'"), let second = value.unicodeScalars.dropFirst().first, "=+-@\t\r".unicodeScalars.contains(second) else {
            return value
        }
        return String(value.dropFirst())
    }
}

struct ImportProblemView: Error, Encodable {
    let line: Int
    /// 1-based; nil when the problem is the whole record's.
    let column: Int?
    let field: String?
    let message: String
}

struct ImportReportView: Encodable {
    let dryRun: Bool
    /// True when every change was committed (in one transaction); false: nothing was changed.
    let applied: Bool
    /// Records read, the header not counted.
    let records: Int
    let changes: [DirectoryChange]
    let unchanged: Int
    /// The first `APILimits.importProblemsListed` problems, by line.
    let errors: [ImportProblemView]
    let errorsTotal: Int
    /// With errors, the refusal every 4xx carries (`import_refused`).
    let error: APIError.ErrorBody.Detail?
}

extension KeywayAPI {
    /// The directory (units, people, cards) in and out as CSV: the desk's work, as adding people and units one at a
    /// time is (staff and admins; not through a token limited to doors, as a person reaches every door of their groups).
    func addImportRoutes(_ v1: RouterGroup<APIContext>) {
        v1.post("import") { request, context in
            let caller = try await self.changingPeople(request, context, "importing")
            let dryRun: Bool
            switch request.uri.queryParameters["dry_run"] {
            case nil, "false": dryRun = false
            case "true": dryRun = true
            default: throw APIError.invalid("dry_run is true or false")
            }
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: APILimits.importBytes)
            } catch is NIOTooManyBytesError {
                throw APIError(.contentTooLarge, "body_too_large",
                               "an import is at most \(APILimits.importBytes) bytes (\(APILimits.importBytes / 1_048_576) MiB): split the file")
            }
            guard buffer.readableBytes > 0 else { throw APIError.invalid("the request needs the CSV file as its body") }
            guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                throw APIError.invalid("the file is not UTF-8 text: save it as CSV UTF-8")
            }
            let parsed = DirectoryCSV.parse(text)
            let result = try await self.access.importDirectory(parsed.lines, apply: !dryRun && parsed.problems.isEmpty,
                                                               actor: caller.actor, at: Date())
            let stored = result.problems.map { problem in
                ImportProblemView(line: problem.line, column: problem.field.flatMap { parsed.header.firstIndex(of: $0) }.map { $0 + 1 },
                                  field: problem.field, message: problem.message)
            }
            let errors = (parsed.problems + stored).sorted { ($0.line, $0.column ?? 0) < ($1.line, $1.column ?? 0) }
            let report = ImportReportView(dryRun: dryRun, applied: result.applied, records: parsed.records,
                                          changes: result.changes, unchanged: result.unchanged,
                                          errors: Array(errors.prefix(APILimits.importProblemsListed)), errorsTotal: errors.count,
                                          error: errors.isEmpty ? nil : .init(code: "import_refused",
                                                                              message: "\(errors.count) errors (see errors); nothing was changed"))
            // 200: sound (imported, or a dry run that would import); 422: errors, nothing changed, dry run or not.
            return JSONBody.response(report, status: errors.isEmpty ? .ok : .unprocessableContent)
        }
        // Streamed a page of people at a time; never a PIN, passcode or key, only cards (whose numbers are no secret).
        v1.get("export.csv") { request, context in
            _ = try await self.changingPeople(request, context, "exporting the directory")
            let now = Date()
            let units = try await self.access.directoryUnits()
            let api = self
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: DirectoryCSV.header + units.map(DirectoryCSV.line(unit:)).joined()))
                var after: String?
                while !api.stopping.load(ordering: .acquiring), !Task.isCancelled {
                    let page = try await api.access.directoryPage(afterName: after, limit: APILimits.exportPage, at: now)
                    var chunk = ""
                    for entry in page {
                        chunk += DirectoryCSV.line(person: entry.person)
                        for card in entry.cards { chunk += DirectoryCSV.line(card: card) }
                    }
                    try await writer.write(ByteBuffer(string: chunk))
                    guard page.count == APILimits.exportPage, let last = page.last else { break }
                    after = last.person.name
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                                                   .contentDisposition: "attachment; filename=\"directory.csv\""], body: body)
        }
    }
}
