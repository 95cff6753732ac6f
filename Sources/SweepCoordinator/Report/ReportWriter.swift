import Foundation

/// `report.html`: one static page with inline CSS and SVG, and a few lines of script only to sort
/// the leaderboard, so it opens anywhere, offline, and can be mailed as a single file.
public enum ReportWriter {
    public static func html(_ input: ReportInput) -> String {
        let sections = ReportSections(input)
        let charts = ReportCharts(sections)
        let refresh = input.live ? "<meta http-equiv=\"refresh\" content=\"\(input.refreshSeconds)\">" : ""
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\(refresh)
        <title>\(escape(input.sweepName)) — RNNSweep report</title>
        <style>
        \(ReportStyle.css)
        </style></head><body>
        \(sections.header())\(sections.leaderboard())\(charts.effects())\(charts.tradeoffs())\(charts.curves())\
        \(sections.samples())\(sections.stopped())<script>
        \(ReportStyle.script)
        </script></body></html>

        """
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
