import Access
import Foundation
import Timebase
import Yams

/// Collects the issues of one file and remembers where every value was read, so checks that run
/// after decoding (cross references, duplicates) can still point at a line and column.
final class ConfigDiagnostics {
    let file: String
    private(set) var issues: [ConfigurationIssue] = []
    private var marks: [ConfigPath: Mark] = [:]

    init(file: String) { self.file = file }

    func remember(_ mark: Mark?, for path: ConfigPath) {
        if let mark { marks[path] = mark }
    }

    func mark(for path: ConfigPath) -> Mark? { marks[path] }

    /// Reports at `mark`, else where `path` was read, else at the top of the file.
    func report(_ message: String, at path: ConfigPath, mark: Mark? = nil) {
        let mark = mark ?? marks[path]
        issues.append(ConfigurationIssue(
            file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, path: path.description, message: message))
    }
}

/// A node of the document at a known path. Every accessor either returns a valid value or
/// reports why not and returns nil, so decoding goes on and finds every problem in one pass.
struct YAMLValue {
    let node: Node
    let path: ConfigPath
    let diagnostics: ConfigDiagnostics
    let environment: [String: String]

    init(node: Node, path: ConfigPath, diagnostics: ConfigDiagnostics, environment: [String: String]) {
        self.node = node
        self.path = path
        self.diagnostics = diagnostics
        self.environment = environment
        diagnostics.remember(node.mark, for: path)
    }

    private func child(_ node: Node, at path: ConfigPath) -> YAMLValue {
        YAMLValue(node: node, path: path, diagnostics: diagnostics, environment: environment)
    }

    /// Reports at the value, or at its key when the value has no position of its own.
    func report(_ message: String) { diagnostics.report(message, at: path, mark: node.mark) }

    /// A mapping whose keys must all be among `keys`; unknown and repeated keys are reported.
    func mapping(keys: [String]) -> YAMLMapping? {
        guard case .mapping(let mapping) = node else {
            report("expected a mapping with keys \(keys.joined(separator: ", ")), found \(kindDescription)")
            return nil
        }
        var entries: [String: YAMLValue] = [:]
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else {
                diagnostics.report("keys must be plain names", at: path, mark: keyNode.mark)
                continue
            }
            let keyPath = path.appending(key)
            guard keys.contains(key) else {
                let hint = closestMatch(to: key, among: keys).map { ", did you mean \"\($0)\"?" } ?? " (expected one of: \(keys.joined(separator: ", ")))"
                diagnostics.report("unknown key \"\(key)\"\(hint)", at: keyPath, mark: keyNode.mark)
                continue
            }
            guard entries[key] == nil else {
                diagnostics.report("\"\(key)\" appears twice", at: keyPath, mark: keyNode.mark)
                continue
            }
            diagnostics.remember(keyNode.mark, for: keyPath)
            entries[key] = child(valueNode, at: keyPath)
        }
        return YAMLMapping(value: self, entries: entries)
    }

    /// The items of a sequence (an absent list is the caller's business; `[]` is fine).
    func sequence() -> [YAMLValue]? {
        guard case .sequence(let sequence) = node else {
            report("expected a list, found \(kindDescription)")
            return nil
        }
        return sequence.enumerated().map { index, item in child(item, at: path[index]) }
    }

    /// A scalar's text after `${VAR}` / `${VAR:-default}` expansion; empty text is an error.
    func string() -> String? {
        guard case .scalar(let scalar) = node else {
            report("expected a value, found \(kindDescription)")
            return nil
        }
        guard node.null == nil else {
            report("has no value")
            return nil
        }
        switch expandEnvironment(in: scalar.string, environment: environment) {
        case .success(let text) where text.isEmpty:
            report("is empty")
            return nil
        case .success(let text):
            return text
        case .failure(let problem):
            report(problem.description)
            return nil
        }
    }

    func int(in range: ClosedRange<Int>) -> Int? {
        guard let text = string() else { return nil }
        guard let value = Int(text) else {
            report("\"\(text)\" is not a whole number")
            return nil
        }
        guard range.contains(value) else {
            report("\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return value
    }

    func bool() -> Bool? {
        guard let text = string() else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            report("\"\(text)\" is not true or false")
            return nil
        }
    }

    func duration() -> Duration? {
        guard let text = string() else { return nil }
        guard let duration = parseDuration(text) else {
            report("\"\(text)\" is not a duration (like 500ms, 5s, 2m)")
            return nil
        }
        return duration
    }

    /// One of an enumeration's spellings, with a suggestion for a near miss.
    func choice<Choice: RawRepresentable & CaseIterable>(_: Choice.Type) -> Choice? where Choice.RawValue == String {
        guard let text = string() else { return nil }
        if let value = Choice(rawValue: text) { return value }
        let spellings = Choice.allCases.map(\.rawValue)
        let hint = closestMatch(to: text, among: spellings).map { ", did you mean \"\($0)\"?" } ?? ""
        report("\"\(text)\" is not one of \(spellings.joined(separator: ", "))\(hint)")
        return nil
    }

    private var kindDescription: String {
        switch node {
        case .scalar where node.null != nil: "nothing"
        case .scalar(let scalar): "\"\(scalar.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}

/// The entries of a checked mapping.
struct YAMLMapping {
    let value: YAMLValue
    let entries: [String: YAMLValue]

    /// The value of a key that must be present.
    func required(_ key: String) -> YAMLValue? {
        if let entry = optional(key) { return entry }
        value.report("missing key \"\(key)\"")
        return nil
    }

    /// The value of a key that may be absent; `key:` with nothing after it counts as absent.
    func optional(_ key: String) -> YAMLValue? {
        guard let entry = entries[key], entry.node.null == nil else { return nil }
        return entry
    }

    func has(_ key: String) -> Bool { optional(key) != nil }

    /// An optional key's decoded value, `fallback` when the key is absent, nil when it is invalid.
    func value<Value>(_ key: String, default fallback: Value, _ decode: (YAMLValue) -> Value?) -> Value? {
        guard let entry = optional(key) else { return fallback }
        return decode(entry)
    }

    /// An optional key without a default: `.absent`, or its decoded value, or `.invalid`.
    func optionalValue<Value>(_ key: String, _ decode: (YAMLValue) -> Value?) -> OptionalField<Value> {
        guard let entry = optional(key) else { return .absent }
        return decode(entry).map { .present($0) } ?? .invalid
    }
}

/// The outcome of decoding a key that may be left out.
enum OptionalField<Value> {
    case absent
    case present(Value)
    /// Present but wrong; the problem is already reported.
    case invalid

    var value: Value? {
        if case .present(let value) = self { value } else { nil }
    }

    var isValid: Bool {
        if case .invalid = self { false } else { true }
    }
}
