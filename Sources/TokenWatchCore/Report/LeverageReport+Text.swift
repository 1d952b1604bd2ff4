/// `tokenwatch report --format text`: one aligned table per team, a line per day and a total.
extension LeverageReport {
    static let textHeader = [
        "day", "calls", "progress", "churn", "unknown", "tokens", "progress", "churn", "unknown", "churn share",
        "alerts",
    ]

    public var text: String {
        var out = "Leverage or noise, by team: tokens that built on what came before (progress), went round without "
        out += "accumulating (churn), or could not be told (unknown).\n"
        out += "Churn share: churn tokens over progress plus churn tokens. Teams with fewer than "
        out += "\(settings.minTeamSize) people are shown as 'small teams'. Days are UTC.\n"
        if teams.isEmpty { return out + "\nNo calls.\n" }
        for team in teams {
            var table = [Self.textHeader]
            for row in rows where row.team == team {
                table.append(Self.cells(Self.date(row.day), row.usage, row.alerts))
            }
            table.append(Self.cells("total", total(of: team), alerts(of: team)))
            out += "\n\(team)\n" + Self.aligned(table)
        }
        var all = [Self.textHeader]
        all.append(Self.cells("total", total, [:]))
        out += "\nall teams\n" + Self.aligned(all)
        if !unplacedAlerts.isEmpty {
            let named = DetectorName.allCases.compactMap { d in unplacedAlerts[d].map { "\(d.rawValue) \($0)" } }
            out += "\nincidents not placed on a team (alert journal): " + named.joined(separator: ", ") + "\n"
        }
        return out
    }

    private static func cells(_ label: String, _ usage: JudgedUsage, _ alerts: [DetectorName: Int]) -> [String] {
        var cells = [label, String(usage.totalCalls)]
        cells += ProgressJudgement.allCases.map { String(usage.calls($0)) }
        cells.append(String(usage.totalTokens))
        cells += ProgressJudgement.allCases.map { String(usage.tokens($0)) }
        cells.append(percent(usage.churnShare))
        let named = DetectorName.allCases.compactMap { detector in alerts[detector].map { "\(detector.rawValue) \($0)" }
        }
        cells.append(named.isEmpty ? "-" : named.joined(separator: ", "))
        return cells
    }

    /// `12.3%`, or `-` when nothing was judged.
    static func percent(_ share: Double?) -> String {
        guard let share else { return "-" }
        let tenths = Int((share * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// Columns padded to their widest cell: the first and last left-aligned, the figures right-aligned.
    private static func aligned(_ table: [[String]]) -> String {
        let widths = (0..<table[0].count).map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                if column == row.count - 1 { return cell }
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
