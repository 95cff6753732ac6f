import Foundation

/// The page's text sections: header, leaderboard, samples, stopped trials.
struct ReportSections {
    let input: ReportInput
    let rows: [ReportRow]
    let ranked: [ReportRow]
    /// Grid keys other than `cell`, which has its own column and colours every chart.
    let otherKeys: [String]

    init(_ input: ReportInput) {
        self.input = input
        rows = ReportRow.rows(input.results)
        ranked = ReportRow.ranked(rows)
        otherKeys = input.gridKeys.filter { $0 != "cell" }
    }

    private func count(_ statuses: Set<String>) -> Int { rows.filter { statuses.contains($0.status) }.count }

    func header() -> String {
        let e = HTMLText.escape
        let objectives = Self.distinct(rows.map { $0.text("objective") }.filter { !$0.isEmpty })
        let compute = rows.compactMap { $0.number("training_seconds") }.reduce(0, +)
        let stopped = count(["diverged", "config_error", "failed"])
        var out = "<header><h1>\(e(input.sweepName))"
        if input.live { out += " <span class=\"live\">live — refreshes every \(input.refreshSeconds) s</span>" }
        out += "</h1>\n<dl class=\"facts\">"
        out += "<dt>Dataset</dt><dd>\(e(input.dataset.isEmpty ? "—" : input.dataset))</dd>"
        out += "<dt>Split</dt><dd>Validation split: <b>\(e(input.split))</b></dd>"
        out += "<dt>Objective</dt><dd>\(e(objectives.isEmpty ? "—" : objectives.joined(separator: ", ")))</dd>"
        out += "<dt>Trials</dt><dd>\(count(["done"])) done, \(count(["running"])) running, \(count(["queued"])) queued, "
        let early = count(["stopped"])
        out += "\(stopped) stopped or failed\(early > 0 ? ", \(early) stopped early" : "") — \(rows.count) in all</dd>"
        out += "<dt>Compute</dt><dd>\(HTMLText.duration(compute)) of training (sum over trials)</dd>"
        if let best = ranked.first {
            out += "<dt>Best trial</dt><dd>\(e(best.label)) — \(e(describe(best))), val loss <b>\(HTMLText.fixed(best.valLoss, 4))</b>, "
            out += "val accuracy \(HTMLText.percent(best.number("val_accuracy")))</dd>"
        } else {
            out += "<dt>Best trial</dt><dd>none finished yet</dd>"
        }
        let stamp = ISO8601DateFormatter().string(from: input.generatedAt)
        out += "</dl><p class=\"muted\">Generated \(e(stamp)). Numbers here are rounded; results.csv and curves.csv hold full precision.</p></header>\n"
        return out
    }

    /// The grid values that set a trial apart, e.g. "gru, hidden_size 16".
    func describe(_ row: ReportRow) -> String {
        ([row.cell] + otherKeys.map { "\($0) \(row.text($0))" }).filter { !$0.isEmpty }.joined(separator: ", ")
    }

    /// Every trial, best validation loss first; unfinished trials last. Cells carry their raw
    /// value in `data-v`, which the inline script sorts by.
    func leaderboard() -> String {
        let e = HTMLText.escape
        let rankedIDs = Set(ranked.map(\.trialID))
        let unranked = rows.filter { !rankedIDs.contains($0.trialID) }
        struct Column {
            let title: String; let raw: (ReportRow) -> String; let shown: (ReportRow) -> String; var text = false
            var status = false
        }
        var columns = [
            Column(title: "rank", raw: { _ in "" }, shown: { _ in "" }),
            Column(title: "trial", raw: { $0.number }, shown: { "#\($0.number) <span class=\"muted\">\(e($0.trialID))</span>" }, text: true),
            Column(title: "cell", raw: { $0.cell }, shown: { e($0.cell) }, text: true),
        ]
        for key in otherKeys {
            columns.append(Column(title: key, raw: { $0.text(key) }, shown: { e($0.text(key)) }, text: Double(rows.first?.text(key) ?? "") == nil))
        }
        columns += [
            Column(title: "val loss", raw: { $0.text("val_loss") }, shown: { HTMLText.fixed($0.valLoss, 4) }),
            Column(title: "val acc", raw: { $0.text("val_accuracy") }, shown: { HTMLText.percent($0.number("val_accuracy")) }),
            Column(title: "train loss", raw: { $0.text("train_loss") }, shown: { HTMLText.fixed($0.number("train_loss"), 4) }),
            Column(title: "params", raw: { $0.text("parameters") }, shown: { HTMLText.compact($0.number("parameters")) }),
            Column(title: "time", raw: { $0.text("training_seconds") }, shown: { HTMLText.duration($0.number("training_seconds")) }),
            Column(title: "epochs", raw: { $0.text("epochs_run") }, shown: { e($0.text("epochs_run")) }),
            Column(title: "status", raw: { $0.status }, shown: { e($0.status) }, text: true, status: true),
        ]
        if !input.decisions.isEmpty {
            // Rung decisions: ✓ continued, ✗ stopped, ↑ promoted, at the epoch shown.
            columns.append(Column(title: "rungs", raw: { input.decisions[$0.trialID] ?? "" },
                                  shown: { e(input.decisions[$0.trialID] ?? "") }, text: true))
        }
        var out = "<section id=\"leaderboard-section\"><h2>Leaderboard</h2>\n"
        out += "<p class=\"muted\">All trials, lowest validation loss first. Click a column heading to sort.</p>\n"
        out += "<div class=\"scroll-y\"><table class=\"sortable\" id=\"leaderboard\"><thead><tr>"
        out += columns.map { "<th\($0.text ? " class=\"t\"" : "")>\(e($0.title))</th>" }.joined()
        out += "</tr></thead><tbody>\n"
        for (index, row) in (ranked + unranked).enumerated() {
            let rank = index < ranked.count ? "\(index + 1)" : ""
            out += "<tr class=\"lb\(index < 3 && index < ranked.count ? " top" : "")\">"
            for (position, column) in columns.enumerated() {
                let raw = position == 0 ? rank : column.raw(row)
                let shown = position == 0 ? rank : column.shown(row)
                // The status stays the cell's whole text (">done</td>"), which tests of a live page count.
                let classes = (column.text ? ["t"] : []) + (column.status ? ["st-\(e(row.status))"] : [])
                out += "<td\(classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"") data-v=\"\(e(raw))\">\(shown)</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody></table></div></section>\n"
    }

    func samples(best count: Int = 3) -> String {
        let e = HTMLText.escape
        var out = "<section id=\"samples\"><h2>Samples from the best trials</h2>\n"
        let shown = ranked.filter { !$0.text("sample").isEmpty }.prefix(count)
        if shown.isEmpty { return out + "<p class=\"muted\">No samples yet.</p></section>\n" }
        for row in shown {
            out += "<figure class=\"sample-box\"><figcaption>\(e(row.label)) — \(e(describe(row))), val loss \(HTMLText.fixed(row.valLoss, 4))</figcaption>"
            out += "<pre class=\"sample\">\(e(row.text("sample")))</pre></figure>\n"
        }
        return out + "</section>\n"
    }

    func stopped() -> String {
        let e = HTMLText.escape
        let bad = rows.filter { ["diverged", "config_error", "failed", "stopped"].contains($0.status) }
        var out = "<section id=\"stopped\"><h2>Stopped and failed trials</h2>\n"
        if bad.isEmpty { return out + "<p class=\"muted\">None: no trial diverged or failed.</p></section>\n" }
        out += "<table><thead><tr><th class=\"t\">trial</th><th class=\"t\">status</th><th>attempts</th><th class=\"t\">why</th></tr></thead><tbody>\n"
        for row in bad {
            out += "<tr><td class=\"t\">\(e(row.label))</td><td class=\"t st-\(e(row.status))\">\(e(row.status))</td>"
            out += "<td>\(e(row.text("attempts")))</td><td class=\"t wrap\">\(e(input.reasons[row.trialID] ?? "—"))</td></tr>\n"
        }
        return out + "</tbody></table></section>\n"
    }

    static func distinct(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
