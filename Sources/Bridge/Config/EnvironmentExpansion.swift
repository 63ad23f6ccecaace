/// Why a `${...}` reference could not be expanded.
enum ExpansionProblem: Error, Equatable, CustomStringConvertible {
    case unset(variable: String)
    case unterminated
    case badName(String)

    var description: String {
        switch self {
        case .unset(let variable): "environment variable \(variable) is not set (give a default with ${\(variable):-value})"
        case .unterminated: "\"${\" has no closing \"}\""
        case .badName(let name): "\"\(name)\" is not an environment variable name"
        }
    }
}

/// Replaces `${VAR}` with the variable's value and `${VAR:-default}` with the value or, when the
/// variable is unset or empty, the default (as the shell does). `$` alone is kept as it is.
func expandEnvironment(in text: String, environment: [String: String]) -> Result<String, ExpansionProblem> {
    var result = ""
    var rest = Substring(text)
    while let dollar = rest.range(of: "${") {
        result += rest[..<dollar.lowerBound]
        guard let close = rest[dollar.upperBound...].firstIndex(of: "}") else { return .failure(.unterminated) }
        let reference = rest[dollar.upperBound..<close]
        let (name, fallback): (Substring, Substring?) = reference.range(of: ":-").map {
            (reference[..<$0.lowerBound], reference[$0.upperBound...])
        } ?? (reference, nil)
        guard isVariableName(name) else { return .failure(.badName(String(name))) }
        if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
            result += value
        } else if let fallback {
            result += fallback
        } else {
            return .failure(.unset(variable: String(name)))
        }
        rest = rest[rest.index(after: close)...]
    }
    return .success(result + rest)
}

private func isVariableName(_ name: Substring) -> Bool {
    guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
    return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
}

/// The names of the `${...}` references in `text`, in order (malformed ones left out).
func referencedVariables(in text: String) -> [String] {
    var names: [String] = []
    var rest = Substring(text)
    while let dollar = rest.range(of: "${"), let close = rest[dollar.upperBound...].firstIndex(of: "}") {
        let reference = rest[dollar.upperBound..<close]
        let name = reference.range(of: ":-").map { reference[..<$0.lowerBound] } ?? reference
        if isVariableName(name) { names.append(String(name)) }
        rest = rest[rest.index(after: close)...]
    }
    return names
}

/// Whether `text` is one `${VAR}` reference and nothing else: its value lives in the environment, not the file.
func isSoleReference(_ text: String) -> Bool {
    guard text.hasPrefix("${"), text.hasSuffix("}"), text.count > 3 else { return false }
    return isVariableName(text.dropFirst(2).dropLast())
}
