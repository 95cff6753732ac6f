import Foundation

/// One line or set of markers on a chart.
struct ChartSeries {
    var colour: String
    var points: [(x: Double, y: Double)]
    var width = 1.5
    var opacity = 1.0
    var line = true
    var markers = true
    /// A hover title on each marker (escaped here).
    var tooltips: [String] = []
}

/// An inline SVG chart with axes, ticks and labels. It scales with its box (viewBox), so it never
/// forces sideways scrolling; text and axes use `currentColor` to follow the light or dark theme.
struct SVGChart {
    var title: String
    var xLabel: String
    var yLabel: String
    var series: [ChartSeries]
    /// Categorical x: labels at positions 0, 1, 2, …
    var categories: [String]? = nil
    var logX = false
    /// Whole-number x ticks only (epochs).
    var integerX = false
    /// A front drawn as a dashed step line with ringed points (e.g. Pareto-optimal trials).
    var front: [(x: Double, y: Double)] = []
    var width = 440.0
    var height = 270.0

    let left = 54.0, right = 14.0, top = 12.0, bottom = 44.0

    func render() -> String {
        let all = series.flatMap(\.points) + front
        let xs = all.map { tx($0.x) }.filter(\.isFinite), ys = all.map(\.y).filter(\.isFinite)
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\">"
        guard var x0 = xs.min(), var x1 = xs.max(), var y0 = ys.min(), var y1 = ys.max() else {
            return svg + "<text x=\"\(Int(width / 2))\" y=\"\(Int(height / 2))\" text-anchor=\"middle\" class=\"muted\">no data yet</text></svg>"
        }
        if categories != nil { x0 = -0.5; x1 = Double(max((categories?.count ?? 1) - 1, 0)) + 0.5 }
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        // A margin so points on the edge are not cut by the frame.
        if categories == nil { let xPad = (x1 - x0) * 0.04; x0 -= xPad; x1 += xPad }
        let yPad = max((y1 - y0) * 0.06, 1e-6)
        y0 -= yPad; y1 += yPad
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + (tx(x) - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + (y1 - y) / (y1 - y0) * plotH }
        let c = HTMLText.coord

        // Grid lines and tick labels.
        for (value, label) in Self.ticks(y0, y1) {
            svg += "<line class=\"grid\" x1=\"\(c(left))\" x2=\"\(c(width - right))\" y1=\"\(c(py(value)))\" y2=\"\(c(py(value)))\"/>"
            svg += "<text x=\"\(c(left - 4))\" y=\"\(c(py(value) + 3))\" text-anchor=\"end\">\(label)</text>"
        }
        for (value, label) in xTicks(x0, x1) {
            let x = left + (value - x0) / (x1 - x0) * plotW
            svg += "<line class=\"grid\" x1=\"\(c(x))\" x2=\"\(c(x))\" y1=\"\(c(top))\" y2=\"\(c(top + plotH))\"/>"
            svg += "<text x=\"\(c(x))\" y=\"\(c(top + plotH + 13))\" text-anchor=\"middle\">\(HTMLText.escape(label))</text>"
        }
        svg += "<rect class=\"frame\" x=\"\(c(left))\" y=\"\(c(top))\" width=\"\(c(plotW))\" height=\"\(c(plotH))\"/>"
        svg += "<text x=\"\(c(left + plotW / 2))\" y=\"\(c(height - 6))\" text-anchor=\"middle\" class=\"axis\">\(HTMLText.escape(xLabel))</text>"
        svg += "<text transform=\"translate(12 \(c(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"axis\">\(HTMLText.escape(yLabel))</text>"

        if front.count > 1 {
            var steps: [String] = []
            for (index, point) in front.enumerated() {
                if index > 0 { steps.append("\(c(px(point.x))),\(c(py(front[index - 1].y)))") }
                steps.append("\(c(px(point.x))),\(c(py(point.y)))")
            }
            svg += "<polyline class=\"front\" points=\"\(steps.joined(separator: " "))\"/>"
        }
        for point in front {
            svg += "<circle class=\"front-ring\" cx=\"\(c(px(point.x)))\" cy=\"\(c(py(point.y)))\" r=\"6.5\"/>"
        }
        for item in series {
            let finite = item.points.enumerated().filter { $0.element.x.isFinite && $0.element.y.isFinite && tx($0.element.x).isFinite }
            if item.line && finite.count > 1 {
                let coords = finite.map { "\(c(px($0.element.x))),\(c(py($0.element.y)))" }.joined(separator: " ")
                svg += "<polyline fill=\"none\" stroke=\"\(item.colour)\" stroke-width=\"\(item.width)\" stroke-opacity=\"\(item.opacity)\" points=\"\(coords)\"/>"
            }
            if item.markers {
                for (index, point) in finite {
                    let tip = index < item.tooltips.count ? "<title>\(HTMLText.escape(item.tooltips[index]))</title>" : ""
                    svg += "<circle cx=\"\(c(px(point.x)))\" cy=\"\(c(py(point.y)))\" r=\"3.5\" fill=\"\(item.colour)\" fill-opacity=\"\(item.opacity)\">\(tip)</circle>"
                }
            }
        }
        return svg + "</svg>"
    }

    private func tx(_ x: Double) -> Double { logX ? (x > 0 ? log10(x) : .nan) : x }

    private func xTicks(_ x0: Double, _ x1: Double) -> [(Double, String)] {
        if let categories { return categories.enumerated().map { (Double($0.offset), $0.element) } }
        if logX {
            let decades = Int(floor(x0))...Int(ceil(x1))
            var ticks: [(Double, String)] = []
            for decade in decades {
                for m in [1.0, 2, 5] {
                    let value = log10(m) + Double(decade)
                    if value >= x0 && value <= x1 { ticks.append((value, HTMLText.compact(pow(10, value)))) }
                }
            }
            return ticks.count > 7 ? ticks.filter { abs($0.0 - $0.0.rounded()) < 1e-9 } : ticks
        }
        let ticks = Self.ticks(x0, x1)
        guard integerX else { return ticks }
        let whole = ticks.filter { abs($0.0 - $0.0.rounded()) < 1e-9 }.map { ($0.0, "\(Int($0.0.rounded()))") }
        let low = Int(ceil(x0)), high = Int(floor(x1))
        return whole.count >= 2 || low > high ? whole : (low...high).map { (Double($0), "\($0)") }
    }

    /// About five round-numbered ticks inside [low, high].
    static func ticks(_ low: Double, _ high: Double) -> [(Double, String)] {
        let raw = (high - low) / 5
        guard raw > 0, raw.isFinite else { return [] }
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let digits = max(0, -Int(floor(log10(step))) + (step / magnitude == 2.5 ? 1 : 0))
        var ticks: [(Double, String)] = []
        var value = ceil(low / step) * step
        while value <= high + step * 1e-9 {
            let label = abs(value) >= 1000 ? HTMLText.compact(value) : String(format: "%.\(digits)f", value)
            ticks.append((value, label))
            value += step
        }
        return ticks
    }
}
