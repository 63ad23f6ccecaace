/// What went wrong in the bridge, by the part it went wrong in; `description` is the operator's message.
public enum BridgeError: Error, Equatable, CustomStringConvertible {
    /// The service could not start (configuration, database, control socket, the demo's reader); it
    /// exits with this message.
    case startup(String)
    /// The control socket could not be created, bound, reached or read.
    case controlSocket(String)
    /// An operator's door command was refused or could not be carried out.
    case doorCommand(String)
    /// A simulated card or keys could not be presented (`keyway sim`).
    case simulation(String)

    public var description: String {
        switch self {
        case .startup(let message), .controlSocket(let message), .doorCommand(let message), .simulation(let message): message
        }
    }
}
