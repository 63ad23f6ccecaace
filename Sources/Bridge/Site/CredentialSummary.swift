import Access

/// How logs and `keyway status` name a credential: a card's fields, a PIN's length only. The one
/// place this is spelled, so the access core's own rendering can take its place in one line.
func summary(of presentation: Presentation) -> String {
    switch presentation {
    case .card(.fields(let format, let facility, let number)): "\(format) \(facility.map { "\($0)/" } ?? "")\(number)"
    case .card(.raw(let bits)): "\(bits.count)-bit raw card"
    case .pin(let pin): "PIN (\(pin.count) digits)"
    case .cardAndPin(let card, let pin): "\(summary(of: .card(card))) + PIN (\(pin.count) digits)"
    case .digitalKey: "digital key"
    }
}
