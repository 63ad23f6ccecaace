/// An RFC 4180 reader that keeps the line each record starts on, so every error can name it. Written here rather
/// than taken from a CSV package: the import needs the physical line of each record (a quoted field may span lines)
/// and the line and column of a malformed quote, which neither mirrored package reports, and it is forty lines.
/// Accepts a UTF-8 byte order mark, CRLF, LF or CR line ends, and skips lines with nothing on them.
enum CSVReader {
    struct Record: Equatable {
        let line: Int
        let fields: [String]
    }

    struct Problem: Error, Equatable {
        let line: Int
        let column: Int?
        let message: String
    }

    /// The records of `text`, at most `maximumRecords` of them (counting the header).
    static func records(_ text: String, maximumRecords: Int) throws(Problem) -> [Record] {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1, recordLine = 1
        var quoted = false, wasQuoted = false
        var index = scalars.startIndex

        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            wasQuoted = false
        }
        func endRecord() throws(Problem) {
            endField()
            if !fields.allSatisfy(\.isEmpty) {
                guard records.count < maximumRecords else {
                    throw Problem(line: recordLine, column: nil, message: "a file holds at most \(maximumRecords) records, the header included")
                }
                records.append(Record(line: recordLine, fields: fields))
            }
            fields = []
        }

        while index < scalars.endIndex {
            let scalar = scalars[index]
            index = scalars.index(after: index)
            if quoted {
                switch scalar {
                case "\"":
                    if index < scalars.endIndex, scalars[index] == "\"" {
                        field.append("\"")
                        index = scalars.index(after: index)
                    } else {
                        quoted = false
                    }
                case "\r":
                    if index < scalars.endIndex, scalars[index] == "\n" { index = scalars.index(after: index) }
                    field.append("\n")
                    line += 1
                case "\n":
                    field.append("\n")
                    line += 1
                default:
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                endField()
            case "\r", "\n":
                if scalar == "\r", index < scalars.endIndex, scalars[index] == "\n" { index = scalars.index(after: index) }
                try endRecord()
                line += 1
                recordLine = line
            case "\"":
                guard field.isEmpty, !wasQuoted else {
                    throw Problem(line: line, column: fields.count + 1,
                                  message: "a quote inside a field: quote the whole field and double the quotes in it (\"say \"\"hi\"\"\")")
                }
                quoted = true
                wasQuoted = true
            default:
                guard !wasQuoted else {
                    throw Problem(line: line, column: fields.count + 1, message: "text after a closing quote: a quoted field ends at a comma or line end")
                }
                field.append(scalar)
            }
        }
        if quoted {
            throw Problem(line: recordLine, column: fields.count + 1, message: "a quoted field is not closed before the end of the file")
        }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { try endRecord() }
        return records
    }
}
