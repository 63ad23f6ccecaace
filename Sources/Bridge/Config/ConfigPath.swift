/// A position in the document, written the way integrators read it: `doors[2].relay.output`.
struct ConfigPath: Hashable, CustomStringConvertible {
    private var components: [Component] = []

    private enum Component: Hashable {
        case key(String)
        case index(Int)
    }

    static let root = ConfigPath()

    func appending(_ key: String) -> ConfigPath {
        var path = self
        path.components.append(.key(key))
        return path
    }

    subscript(index: Int) -> ConfigPath {
        var path = self
        path.components.append(.index(index))
        return path
    }

    var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }
}
