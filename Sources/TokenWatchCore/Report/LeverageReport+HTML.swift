/// `tokenwatch report --format html`: one self-contained page, with inline CSS and SVG charts and nothing
/// fetched (no script, font or image), that reads on a phone and on paper.
///
/// Every figure in a table cell carries `data-team`, `data-day` (`total` for a team's sum) and `data-field`,
/// so that a test can read the page as a browser rendered it and compare it with the JSON report.
extension LeverageReport {
    public var html: String {
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>TokenWatch: leverage or noise, by team</title>
            <style>\(Self.style)</style></head><body>
            <h1>Leverage or noise, by team</h1>
            <p>Of the tokens each team spent, how much built on what came before (<b class="progress">progress</b>),
            how much went round without accumulating (<b class="churn">churn</b>), and how much could not be told
            (<b class="unknown">unknown</b>). Churn share: churn tokens over progress plus churn tokens.
            Teams only, never people: teams seen with fewer than \(settings.minTeamSize) people are shown together
            as <i>small teams</i>. Days are UTC.</p>

            """
        if teams.isEmpty { return page + "<p>No calls.</p></body></html>\n" }
        page += "<h2>Churn share per team, by day</h2>\n" + churnChart
        page += "<h2>Tokens by judgement, per team</h2>\n" + tokensChart
        page += "<h2>Figures</h2>\n"
        for team in teams { page += table(of: team) }
        if !unplacedAlerts.isEmpty {
            let named = DetectorName.allCases.compactMap { d in unplacedAlerts[d].map { "\(d.rawValue) \($0)" } }
            page += "<p>Incidents not placed on a team (alert journal): \(named.joined(separator: ", "))</p>\n"
        }
        return page + "</body></html>\n"
    }

    private static let style = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1rem auto;max-width:60rem;\
        padding:0 .75rem;color:#1a1a1a;background:#fff}
        h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:1.6rem}h3{font-size:1rem;margin:1.2rem 0 .3rem}
        .progress{color:#1b7f3b}.churn{color:#b3261e}.unknown{color:#666}
        svg{width:100%;max-width:36rem;height:auto;display:block}svg text{font:13px system-ui,sans-serif;fill:#1a1a1a}
        .scroll{overflow-x:auto}table{border-collapse:collapse;font-variant-numeric:tabular-nums;min-width:100%}
        th,td{padding:.2rem .45rem;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
        th:first-child,td:first-child{text-align:left}td.alerts,th.alerts{text-align:left;white-space:normal;min-width:12rem}
        tr.total td{font-weight:600;border-top:2px solid #999}
        @media print{body{max-width:none;margin:0;font-size:11px}h2{break-after:avoid}
        section{break-inside:avoid}.scroll{overflow:visible}}
        """

    /// The palette of the teams' lines, distinguishable in print too by their marks.
    private static let colours = [
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    ]

    /// One line per team over the days, 0–100 %.
    private var churnChart: String {
        let (width, height, left, right, top, bottom) = (480.0, 240.0, 44.0, 130.0, 12.0, 34.0)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func x(_ index: Int) -> Double {
            days.count == 1 ? left + plotWidth / 2 : left + plotWidth * Double(index) / Double(days.count - 1)
        }
        func y(_ share: Double) -> Double { top + plotHeight * (1 - share) }
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
        svg += "aria-label=\"Churn share per team by day\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        for tick in stride(from: 0, through: 100, by: 25) {
            let level = y(Double(tick) / 100)
            svg += "<line x1=\"\(left)\" x2=\"\(left + plotWidth)\" y1=\"\(level)\" y2=\"\(level)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(level + 4)\" text-anchor=\"end\">\(tick)%</text>\n"
        }
        // A date ("11-02") needs about 44 units to stay clear of its neighbours: label every step-th day.
        let step = max(1, Int((Double(days.count) * 44 / plotWidth).rounded(.up)))
        for (index, day) in days.enumerated() where index % step == 0 {
            svg += "<text x=\"\(x(index))\" y=\"\(height - 12)\" text-anchor=\"middle\">"
            svg += "\(Self.date(day).dropFirst(5))</text>\n"
        }
        for (teamIndex, team) in teams.enumerated() {
            let colour = Self.colours[teamIndex % Self.colours.count]
            let points = days.enumerated().compactMap { (index, day) -> (Double, Double)? in
                guard let share = rows.first(where: { $0.team == team && $0.day == day })?.usage.churnShare
                else { return nil }
                return (x(index), y(share))
            }
            guard !points.isEmpty else { continue }
            let path = points.map { "\($0.0),\($0.1)" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(path)\"/>"
            for point in points {
                svg += "<circle cx=\"\(point.0)\" cy=\"\(point.1)\" r=\"3\" fill=\"\(colour)\"/>"
            }
            let legendY = top + 18 * Double(teamIndex) + 6
            svg += "<rect x=\"\(width - right + 10)\" y=\"\(legendY - 8)\" width=\"10\" height=\"10\" "
            svg += "fill=\"\(colour)\"/><text x=\"\(width - right + 24)\" y=\"\(legendY + 1)\">"
            svg += "\(Self.escaped(team)) \(Self.percent(total(of: team).churnShare))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// One stacked bar per team: progress, churn and unknown tokens, to the scale of the largest team.
    private var tokensChart: String {
        let (width, label, barHeight, gap) = (480.0, 110.0, 18.0, 8.0)
        let height = Double(teams.count) * (barHeight + gap) + 24
        let largest = Double(max(1, teams.map { total(of: $0).totalTokens }.max() ?? 1))
        let scale = (width - label - 70) / largest
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
        svg += "aria-label=\"Tokens by judgement per team\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        let fills: [ProgressJudgement: String] = [.progress: "#1b7f3b", .churn: "#b3261e", .unknown: "#999"]
        for (index, team) in teams.enumerated() {
            let usage = total(of: team)
            let top = Double(index) * (barHeight + gap) + 4
            svg += "<text x=\"\(label - 6)\" y=\"\(top + 13)\" text-anchor=\"end\">\(Self.escaped(team))</text>"
            var x = label
            for judgement in ProgressJudgement.allCases {
                let length = Double(usage.tokens(judgement)) * scale
                svg += "<rect x=\"\(x)\" y=\"\(top)\" width=\"\(length)\" height=\"\(barHeight)\" "
                svg += "fill=\"\(fills[judgement]!)\"><title>\(judgement.rawValue): \(usage.tokens(judgement)) "
                svg += "tokens</title></rect>"
                x += length
            }
            svg += "<text x=\"\(x + 6)\" y=\"\(top + 13)\">\(Self.compact(usage.totalTokens))</text>\n"
        }
        let legendY = height - 8
        for (index, judgement) in ProgressJudgement.allCases.enumerated() {
            let legendX = label + Double(index) * 95
            svg += "<rect x=\"\(legendX)\" y=\"\(legendY - 9)\" width=\"10\" height=\"10\" "
            svg += "fill=\"\(fills[judgement]!)\"/><text x=\"\(legendX + 14)\" y=\"\(legendY)\">"
            svg += "\(judgement.rawValue)</text>"
        }
        return svg + "\n</svg>\n"
    }

    private func table(of team: String) -> String {
        let name = Self.escaped(team)
        var html = "<section><h3>\(name)</h3><div class=\"scroll\"><table>\n<thead><tr><th>day</th>"
        html += "<th>calls</th><th>tokens</th><th class=\"progress\">progress</th><th class=\"churn\">churn</th>"
        html += "<th class=\"unknown\">unknown</th><th>churn share</th><th class=\"alerts\">incidents</th>"
        html += "</tr></thead><tbody>\n"
        for row in rows where row.team == team {
            html += tableRow(team: name, day: Self.date(row.day), row.usage, row.alerts, total: false)
        }
        html += tableRow(team: name, day: "total", total(of: team), alerts(of: team), total: true)
        return html + "</tbody></table></div></section>\n"
    }

    private func tableRow(
        team: String, day: String, _ usage: JudgedUsage, _ alerts: [DetectorName: Int], total: Bool
    ) -> String {
        func cell(_ field: String, _ text: String) -> String {
            "<td data-team=\"\(team)\" data-day=\"\(day)\" data-field=\"\(field)\">\(text)</td>"
        }
        var html = total ? "<tr class=\"total\">" : "<tr>"
        html += "<td>\(day)</td>" + cell("calls", String(usage.totalCalls)) + cell("tokens", String(usage.totalTokens))
        for judgement in ProgressJudgement.allCases {
            html += cell("tokens_\(judgement.rawValue)", String(usage.tokens(judgement)))
        }
        html += cell("churn_share", Self.percent(usage.churnShare))
        let named = DetectorName.allCases.compactMap { detector in alerts[detector].map { "\(detector.rawValue) \($0)" }
        }
        html += "<td class=\"alerts\">\(named.isEmpty ? "–" : named.joined(separator: ", "))</td>"
        return html + "</tr>\n"
    }

    /// `1.2M`, `34k`, `512`.
    static func compact(_ value: UInt64) -> String {
        switch value {
        case 1_000_000...: "\(Double(value / 100_000) / 10)M"
        case 1000...: "\(value / 1000)k"
        default: String(value)
        }
    }

    /// Team names come from the events: escaped wherever they appear.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
