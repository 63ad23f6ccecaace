/// Asks `condition` every 50 ms until it holds or `within` has passed; says whether it held.
/// For states a service reaches on its own time (a fault raised, a row written), never for timing.
public func eventually(within limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return false
}
