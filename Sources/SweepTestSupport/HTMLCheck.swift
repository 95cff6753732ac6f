import Foundation

/// A small well-formedness check for generated HTML: every opened element is closed in order, and
/// nothing is loaded from elsewhere. Not a parser; enough to catch a builder that drops a tag.
public enum HTMLCheck {
    /// Elements HTML never closes.
    static let void: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]

    /// Problems found, empty when every tag is balanced.
    public static func unbalancedTags(_ html: String) -> [String] {
        var problems: [String] = []
        var stack: [String] = []
        var rest = Substring(html)
        while let open = rest.firstIndex(of: "<") {
            rest = rest[open...]
            if rest.hasPrefix("<!--") {
                guard let end = rest.range(of: "-->") else { problems.append("unclosed comment"); break }
                rest = rest[end.upperBound...]
                continue
            }
            guard let close = rest.firstIndex(of: ">") else { problems.append("unterminated tag"); break }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("!") { continue }   // <!DOCTYPE html>
            let closing = tag.hasPrefix("/")
            let name = String(tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber || $0 == "-" }).lowercased()
            guard !name.isEmpty else { problems.append("stray '<' before \(tag.prefix(20))"); continue }
            if closing {
                if stack.last == name { stack.removeLast() } else { problems.append("</\(name)> closes <\(stack.last ?? "nothing")>") }
            } else if !void.contains(name) && !tag.hasSuffix("/") {
                stack.append(name)
                // Script and style hold raw text: skip to their end tag.
                if name == "script" || name == "style", let end = rest.range(of: "</\(name)>") {
                    rest = rest[end.upperBound...]
                    stack.removeLast()
                }
            }
        }
        return problems + stack.map { "<\($0)> never closed" }
    }

    /// Attributes or elements that would fetch another file: http(s) or protocol-relative
    /// src/href, any <link>, CSS url() or @import.
    public static func externalReferences(_ html: String) -> [String] {
        let lower = html.lowercased()
        var found: [String] = []
        for attribute in ["src", "href"] {
            for quote in ["\"", "'", ""] {
                for scheme in ["http://", "https://", "//"] where lower.contains("\(attribute)=\(quote)\(scheme)") {
                    found.append("\(attribute)=\(quote)\(scheme)")
                }
            }
        }
        for marker in ["<link", "url(", "@import", "<iframe", "<img"] where lower.contains(marker) { found.append(marker) }
        return found
    }
}
