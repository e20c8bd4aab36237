// Aligned columns for text reports. Widths count characters, not bytes (µs, …), of the cells
// made printable (TextFormat.printable).

public enum TextTable {
    /// Renders rows with two spaces between columns; the last column is never padded.
    public static func render(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        guard let columns = rows.map(\.count).max(), columns > 0 else { return [] }
        // Measured after control characters are made visible (cells may hold untrusted text).
        let rows = rows.map { $0.map { TextFormat.printable($0) } }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() where i < columns - 1 || rightAligned.contains(i) {
                widths[i] = max(widths[i], cell.count)
            }
        }
        return rows.map { row in
            var line = ""
            for (i, cell) in row.enumerated() {
                if i > 0 { line += "  " }
                if i == row.count - 1 && !rightAligned.contains(i) {
                    line += cell
                } else {
                    let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                    line += rightAligned.contains(i) ? pad + cell : cell + pad
                }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}
