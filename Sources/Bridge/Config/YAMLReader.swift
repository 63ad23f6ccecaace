import Access
import Foundation
import Timebase
import Yams

/// Collects the issues of one file and remembers where every value was read, so checks that run
/// after decoding (cross references, duplicates) can still point at a line and column.
final class ConfigDiagnostics {
    let file: String
    let scope: ConfigurationScope
    private(set) var issues: [ConfigurationIssue] = []
    /// Variables an offline check could not know: the values that use them are left unchecked.
    private(set) var unresolved: Set<String> = []
    private var marks: [ConfigPath: Mark] = [:]

    init(file: String, scope: ConfigurationScope) {
        self.file = file
        self.scope = scope
    }

    func leaveUnresolved(_ variable: String) { unresolved.insert(variable) }

    private var missingDevices: Set<String> = []
    private var valuesRead = 0

    /// Counts `count` more values read; false (reported once) beyond `ConfigurationLimits.values`, so an
    /// alias of an alias of a list cannot make a small file take hours.
    func admit(_ count: Int, at path: ConfigPath, mark: Mark?) -> Bool {
        guard valuesRead <= ConfigurationLimits.values else { return false }
        valuesRead += count
        guard valuesRead <= ConfigurationLimits.values else {
            report("the file holds more than \(ConfigurationLimits.values) values (an alias counts each time it is used)", at: path, mark: mark)
            return false
        }
        return true
    }

    /// True the first time a missing device is mentioned: it is reported once, where it first appears.
    func firstMention(ofMissingDevice path: String) -> Bool { missingDevices.insert(path).inserted }

    func remember(_ mark: Mark?, for path: ConfigPath) {
        if let mark { marks[path] = mark }
    }

    func mark(for path: ConfigPath) -> Mark? { marks[path] }

    /// Reports at `mark`, else where `path` was read, else at the top of the file.
    func report(_ message: String, at path: ConfigPath, mark: Mark? = nil, origin: ConfigurationIssue.Origin = .file) {
        let mark = mark ?? marks[path]
        issues.append(ConfigurationIssue(
            file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, path: path.description, message: message, origin: origin))
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

    /// Reports at the value, or at its key when the value has no position of its own. A value that came
    /// from the environment is the machine's problem, not the file's, and the message says which variable.
    func report(_ message: String) {
        let variables = environmentVariablesUsed
        guard !variables.isEmpty else { return diagnostics.report(message, at: path, mark: node.mark) }
        let from = variables.map { "$\($0)" }.joined(separator: ", ")
        diagnostics.report("\(message) (the value comes from \(from))", at: path, mark: node.mark, origin: .machine)
    }

    /// Reports a problem of this machine (a file or a device it lacks) at the value.
    func reportMachine(_ message: String) { diagnostics.report(message, at: path, mark: node.mark, origin: .machine) }

    /// The variables this scalar takes from the environment (set and used, not replaced by a default).
    private var environmentVariablesUsed: [String] {
        guard case .scalar(let scalar) = node else { return [] }
        return referencedVariables(in: scalar.string).filter { environment[$0].map { !$0.isEmpty } ?? false }
    }

    /// An offline check knows no environment: a value that needs a variable without a default is left
    /// unchecked (and the variable noted) rather than reported.
    var isUnknownOffline: Bool {
        guard diagnostics.scope == .offline, case .scalar(let scalar) = node,
              case .failure(.unset(let variable)) = expandEnvironment(in: scalar.string, environment: [:]) else { return false }
        diagnostics.leaveUnresolved(variable)
        return true
    }

    /// A mapping whose keys must all be among `keys`; unknown and repeated keys are reported.
    func mapping(keys: [String]) -> YAMLMapping? {
        guard case .mapping(let mapping) = node else {
            report("expected a mapping with keys \(keys.joined(separator: ", ")), found \(kindDescription)")
            return nil
        }
        guard diagnostics.admit(mapping.count, at: path, mark: node.mark) else { return nil }
        var entries: [String: YAMLValue] = [:]
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else {
                diagnostics.report("keys must be plain names", at: path, mark: keyNode.mark)
                continue
            }
            let keyPath = path.appending(clipped(key))
            guard keys.contains(key) else {
                let hint = closestMatch(to: key, among: keys).map { ", did you mean \"\($0)\"?" } ?? " (expected one of: \(keys.joined(separator: ", ")))"
                diagnostics.report("unknown key \"\(clipped(key))\"\(hint)", at: keyPath, mark: keyNode.mark)
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
        guard sequence.count <= ConfigurationLimits.listLength else {
            report("has \(sequence.count) items, a list holds at most \(ConfigurationLimits.listLength)")
            return nil
        }
        guard diagnostics.admit(sequence.count, at: path, mark: node.mark) else { return nil }
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
        guard scalar.string.utf8.count <= ConfigurationLimits.valueLength else {
            report("is \(scalar.string.utf8.count) bytes long, a value is at most \(ConfigurationLimits.valueLength)")
            return nil
        }
        if isUnknownOffline { return nil }
        switch expandEnvironment(in: scalar.string, environment: diagnostics.scope == .offline ? [:] : environment) {
        case .success(let text) where text.isEmpty:
            report("is empty")
            return nil
        case .success(let text):
            return text
        case .failure(let problem):
            if case .unset = problem { reportMachine(problem.description) } else { report(problem.description) }
            return nil
        }
    }

    /// A path or a device: as `string()`, except that offline a value needing an unknown variable stands as
    /// written, so what refers to it is still cross-checked (nothing reads a path offline).
    func pathText() -> String? {
        if isUnknownOffline, case .scalar(let scalar) = node { return scalar.string }
        return string()
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

    /// A duration within `limits` (`DurationLimits`, the one definition the CLI and the control socket share).
    func duration(within limits: DurationLimits) -> Duration? {
        guard let text = string() else { return nil }
        switch parseDuration(text, within: limits) {
        case .success(let duration): return duration
        case .failure(let problem):
            report(problem.description)
            return nil
        }
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
        case .scalar(let scalar): "\"\(clipped(scalar.string))\""
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

/// How big a configuration may be: a site's file is a few kilobytes, so anything far beyond is a mistake
/// (or an attack) and is refused before it can keep the service busy.
public enum ConfigurationLimits {
    /// The whole file, in bytes.
    public static let fileSize = 1 << 20
    /// One value (a name, a path, a key), in bytes: the longest path Linux takes.
    public static let valueLength = 4096
    /// The items of one list (buses, PDs, doors, formats).
    public static let listLength = 1024
    /// Values in the whole document, an alias counted at every use.
    public static let values = 100_000
}

/// Text from the file as a message quotes it: long text is cut, so a message stays a line.
func clipped(_ text: String) -> String {
    text.count <= 64 ? text : text.prefix(64) + "…"
}
