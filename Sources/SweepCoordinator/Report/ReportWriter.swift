import Foundation
import SweepStore

/// A single static HTML page: no scripts, no external files, so it opens anywhere.
public enum ReportWriter {
    public static func html(_ input: ReportInput) -> String {
        var out = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(input.sweepName)) — RNNSweep report</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
        table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
        th{background:#f4f4f4;position:sticky;top:0}td.t{text-align:left;max-width:30em;overflow:hidden;white-space:nowrap}
        .curves{display:flex;flex-wrap:wrap;gap:12px}.curve{border:1px solid #ddd;padding:4px;font-size:11px}
        .train{stroke:#1f77b4}.val{stroke:#d62728}
        </style></head><body>
        <h1>\(escape(input.sweepName))</h1>
        <p>Validation split: <b>\(escape(input.split))</b>. \(input.results.rows.count) trials.
        Generated \(escape(ISO8601DateFormatter().string(from: input.generatedAt))).</p>
        <h2>Results</h2>
        <div style="overflow:auto;max-height:70vh"><table><thead><tr>
        """
        let columns = input.results.header
        out += columns.map { "<th>\(escape($0))</th>" }.joined()
        out += "</tr></thead><tbody>\n"
        let rows = input.results.rows.map { $0.map(\.text) }
        for (row, cells) in zip(rows, input.results.rows) {
            out += "<tr>" + zip(row, cells).map { text, cell in
                isNumber(cell) ? "<td>\(escape(text))</td>" : "<td class=\"t\" title=\"\(escape(text))\">\(escape(text))</td>"
            }.joined() + "</tr>\n"
        }
        out += "</tbody></table></div>\n<h2>Training curves</h2>\n"
        out += "<p><svg width=\"12\" height=\"4\"><line x1=\"0\" y1=\"2\" x2=\"12\" y2=\"2\" class=\"train\" stroke-width=\"2\"/></svg> train loss "
        out += "<svg width=\"12\" height=\"4\"><line x1=\"0\" y1=\"2\" x2=\"12\" y2=\"2\" class=\"val\" stroke-width=\"2\"/></svg> validation loss</p>\n"
        out += "<div class=\"curves\">\n"
        let idColumn = columns.firstIndex(of: ExportColumns.trialID.name)
        let numberColumn = columns.firstIndex(of: ExportColumns.trial.name)
        for row in rows {
            guard let idColumn, idColumn < row.count, let points = input.curves[row[idColumn]], !points.isEmpty else { continue }
            let title = numberColumn.map { $0 < row.count ? "#\(row[$0]) " : "" } ?? ""
            out += "<div class=\"curve\">\(escape(title + row[idColumn]))<br>\(svg(points))</div>\n"
        }
        out += "</div></body></html>\n"
        return out
    }

    /// Numbers are right-aligned. Grid and config values are stored as text, so "0.003" counts too.
    static func isNumber(_ cell: CellValue) -> Bool {
        switch cell {
        case .integer, .number: true
        case .text(let text): Double(text) != nil
        case .empty: false
        }
    }

    /// A small line chart of train and validation loss per epoch.
    static func svg(_ points: [CurvePoint], width: Double = 220, height: Double = 120) -> String {
        let finite = points.flatMap { [$0.trainLoss, $0.valLoss] }.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return "<svg width=\"\(Int(width))\" height=\"\(Int(height))\"></svg>" }
        let pad = 24.0
        let epochs = points.map(\.epoch)
        let firstEpoch = Double(epochs.min() ?? 0), lastEpoch = Double(epochs.max() ?? 1)
        let span = max(lastEpoch - firstEpoch, 1), range = max(high - low, 1e-9)
        func x(_ e: Int) -> Double { pad + (Double(e) - firstEpoch) / span * (width - pad - 6) }
        func y(_ v: Double) -> Double { 6 + (high - v) / range * (height - pad - 6) }
        func line(_ key: KeyPath<CurvePoint, Double>, _ cls: String) -> String {
            let coords = points.filter { $0[keyPath: key].isFinite }
                .map { String(format: "%.1f,%.1f", x($0.epoch), y($0[keyPath: key])) }.joined(separator: " ")
            return "<polyline fill=\"none\" stroke-width=\"1.5\" class=\"\(cls)\" points=\"\(coords)\"/>"
        }
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))">\
        <line x1="\(pad)" y1="\(height - pad + 2)" x2="\(width - 4)" y2="\(height - pad + 2)" stroke="#999"/>\
        <line x1="\(pad - 2)" y1="4" x2="\(pad - 2)" y2="\(height - pad + 2)" stroke="#999"/>\
        <text x="2" y="12" font-size="9">\(String(format: "%.2f", high))</text>\
        <text x="2" y="\(height - pad)" font-size="9">\(String(format: "%.2f", low))</text>\
        <text x="\(pad)" y="\(height - 6)" font-size="9">epoch \(Int(firstEpoch))–\(Int(lastEpoch))</text>\
        \(line(\.trainLoss, "train"))\(line(\.valLoss, "val"))</svg>
        """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
