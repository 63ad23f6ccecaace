/// "did you mean" for misspelt keys and names: the closest candidate within a small edit distance.
func closestMatch(to word: String, among candidates: some Sequence<String>) -> String? {
    // Allow about one typo per three characters, so `strick` finds `strike` but `foo` finds nothing.
    let limit = max(1, word.count / 3)
    // The distance is at least the difference in length: a far longer or shorter word is never close,
    // and is not compared (a megabyte of text would take minutes).
    let scored = candidates.filter { abs($0.count - word.count) <= limit }
        .map { (candidate: $0, distance: editDistance(word.lowercased(), $0.lowercased())) }
    return scored.filter { $0.distance <= limit }.min { $0.distance < $1.distance }?.candidate
}

/// Levenshtein distance with transpositions counted as one edit (`adress` and `addrses` are both close to `address`).
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let substitution = a[i - 1] == b[j - 1] ? 0 : 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + substitution)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
            }
        }
    }
    return table[a.count][b.count]
}
