import Foundation

/// The page's chart sections: effect of each grid key, trade-offs, training curves.
struct ReportCharts {
    let sections: ReportSections
    /// Cell types in order of first appearance; each keeps one colour on every chart.
    let cells: [String]

    init(_ sections: ReportSections) {
        self.sections = sections
        cells = ReportSections.distinct(sections.rows.map(\.cell))
    }

    private var done: [ReportRow] { sections.ranked }
    private func colour(_ cell: String) -> String { Palette.colour(cells.firstIndex(of: cell) ?? 0) }

    func legend() -> String {
        "<p class=\"legend\">" + cells.map {
            "<span><i style=\"background:\(colour($0))\"></i>\(HTMLText.escape($0.isEmpty ? "(no cell)" : $0))</span>"
        }.joined() + "</p>\n"
    }

    /// Mean val loss and val accuracy at each value of every grid key, one line per cell type.
    func effects() -> String {
        var out = "<section id=\"effects\"><h2>Effect of each grid key</h2>\n"
        out += "<p class=\"muted\">Mean over finished trials at each value (other keys averaged out), one line per cell type.</p>\n"
        out += legend()
        for key in sections.input.gridKeys {
            let values = ReportSections.distinct(sections.rows.map { $0.text(key) })
            let numeric = values.allSatisfy { Double($0) != nil }
            let categories = numeric ? values.sorted { Double($0) ?? 0 < Double($1) ?? 0 } : values
            // Grouped once: a key may have as many values as the sweep has trials.
            let byCellAndValue = Dictionary(grouping: done) { [$0.cell, $0.text(key)] }
            func chart(_ metric: String, _ label: String) -> String {
                let series = cells.map { cell in
                    var points: [(x: Double, y: Double)] = []
                    for (index, value) in categories.enumerated() {
                        let ys = (byCellAndValue[[cell, value]] ?? []).compactMap { $0.number(metric) }
                        if !ys.isEmpty { points.append((Double(index), ys.reduce(0, +) / Double(ys.count))) }
                    }
                    return ChartSeries(colour: colour(cell), points: points, width: 2)
                }
                return SVGChart(title: "\(label) by \(key)", xLabel: key, yLabel: label, series: series, categories: categories).render()
            }
            out += "<figure class=\"effect\" data-key=\"\(HTMLText.escape(key))\"><figcaption>\(HTMLText.escape(key))</figcaption>"
            out += "<div class=\"pair\">\(chart("val_loss", "val loss"))\(chart("val_accuracy", "val accuracy"))</div></figure>\n"
        }
        return out + "</section>\n"
    }

    /// Val loss against size and against training time; ringed points are Pareto-optimal
    /// (no other trial is both smaller or faster and better).
    func tradeoffs() -> String {
        var out = "<section id=\"tradeoffs\"><h2>Trade-offs</h2>\n"
        out += "<p class=\"muted\">Each point is a finished trial; ringed points joined by the dashed line form the Pareto front.</p>\n"
        out += legend() + "<div class=\"pair\">"
        for (metric, label) in [("parameters", "parameters (log scale)"), ("training_seconds", "training seconds (log scale)")] {
            let points = done.compactMap { row in row.number(metric).map { (row: row, x: $0, y: row.valLoss ?? 0) } }
            let series = cells.map { cell in
                let mine = points.filter { $0.row.cell == cell }
                return ChartSeries(colour: colour(cell), points: mine.map { ($0.x, $0.y) }, line: false,
                                   tooltips: mine.map { "\($0.row.label): \(sections.describe($0.row)), val loss \(HTMLText.fixed($0.y, 4))" })
            }
            var front: [(x: Double, y: Double)] = []
            for point in points.sorted(by: { ($0.x, $0.y) < ($1.x, $1.y) }) where point.y < (front.last?.y ?? .infinity) {
                front.append((point.x, point.y))
            }
            out += "<figure class=\"tradeoff\">" + SVGChart(title: "val loss against \(metric)", xLabel: label, yLabel: "val loss",
                                                              series: series, logX: points.allSatisfy { $0.x > 0 }, front: front).render() + "</figure>"
        }
        return out + "</div></section>\n"
    }

    /// Every validation curve on one chart, the best few in colour; then one small chart per trial.
    func curves(highlight count: Int = 3) -> String {
        let input = sections.input
        let best = Array(done.prefix(count))
        var series: [ChartSeries] = []
        let bestIDs = Set(best.map(\.trialID))
        for row in sections.rows where !bestIDs.contains(row.trialID) {
            let points: [(x: Double, y: Double)] = (input.curves[row.trialID] ?? []).map { (Double($0.epoch), $0.valLoss) }
            series.append(ChartSeries(colour: "currentColor", points: points, width: 1, opacity: 0.3, markers: false))
        }
        for (index, row) in best.enumerated().reversed() {
            let points: [(x: Double, y: Double)] = (input.curves[row.trialID] ?? []).map { (Double($0.epoch), $0.valLoss) }
            series.append(ChartSeries(colour: Palette.colour(index + 3), points: points, width: 2.5))
        }
        var out = "<section id=\"curves\"><h2>Training curves</h2>\n<p class=\"legend\">"
        out += best.enumerated().map { index, row in
            "<span><i style=\"background:\(Palette.colour(index + 3))\"></i>\(HTMLText.escape(row.label)) (\(HTMLText.escape(sections.describe(row))))</span>"
        }.joined() + "<span><i class=\"grey\"></i>other trials</span></p>\n"
        out += "<figure class=\"overlay\">" + SVGChart(title: "validation loss of every trial by epoch", xLabel: "epoch",
                                                       yLabel: "val loss", series: series, integerX: true, width: 880, height: 300).render() + "</figure>\n"
        out += "<h3>Per trial</h3><p class=\"legend\"><span><i style=\"background:\(Palette.colour(1))\"></i>train loss</span>"
        out += "<span><i style=\"background:\(Palette.colour(3))\"></i>val loss</span></p>\n<div class=\"multiples\">\n"
        let doneIDs = Set(done.map(\.trialID))
        let ordered = done + sections.rows.filter { !doneIDs.contains($0.trialID) }
        for row in ordered {
            guard let points = input.curves[row.trialID], !points.isEmpty else { continue }
            let chart = SVGChart(title: "losses of \(row.label)", xLabel: "epoch", yLabel: "loss", series: [
                ChartSeries(colour: Palette.colour(1), points: points.map { (Double($0.epoch), $0.trainLoss) }, markers: false),
                ChartSeries(colour: Palette.colour(3), points: points.map { (Double($0.epoch), $0.valLoss) }, markers: false),
            ], integerX: true, width: 300, height: 190)
            out += "<figure class=\"curve\"><figcaption>\(HTMLText.escape(row.label)) <span class=\"muted\">\(HTMLText.escape(sections.describe(row)))</span></figcaption>\(chart.render())</figure>\n"
        }
        return out + "</div></section>\n"
    }
}
