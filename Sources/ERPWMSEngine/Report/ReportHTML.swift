import ERPWMSCore

/// The HTML report: one self-contained file (inline CSS and SVG, no script, no external asset) that reads
/// top-down: summary, charts, exceptions, totals, details. It shows order ids, SKUs, warehouses and
/// amounts, never a customer's data.
enum ReportHTML {
    static func render(meta: ReportMeta, totals t: ReconciliationTotals, exceptions: [ReconOrder], exceptionCount: Int,
                       unknown: [UnknownReference], sections: [ReportSection] = [], rowLimit: Int = 2000) -> String {
        var h = ""
        h += """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Reconciliation as of \(esc(meta.asOf))</title>
        <style>\(css)</style></head><body>
        <header><h1>Shipment reconciliation</h1>
        <p class="meta">As of <b>\(esc(meta.asOf))</b>\(period(meta)) · service level \(meta.serviceLevelHours.map { "\($0) h" }.joined(separator: " / "))</p></header>
        """
        h += summary(t)
        h += "<section class=\"charts\">"
        h += chartCard("Fill rate per warehouse", fillRateChart(t))
        h += chartCard("Unconfirmed orders by age", ageChart(t, labels: meta.bucketLabels))
        h += chartCard("Short lines by reason", reasonChart(t))
        h += "</section>"
        h += exceptionsTable(exceptions, count: exceptionCount)
        h += unknownTable(unknown)
        h += totalsTable("Totals per warehouse", "Warehouse", t.byWarehouse)
        h += currencyTable(t)
        h += totalsTable("Totals per order day", "Day", t.byDay)
        h += detailsTable(exceptions)
        for section in sections { h += flowSection(section, rowLimit: rowLimit) }
        h += "<footer>erpwms reconciliation report · figures in units; values are net unit price × quantity in the order currency, exact · no personal data is shown</footer>"
        h += "</body></html>\n"
        return h
    }

    // MARK: - Sections

    /// A flow section: its figures as cards, then its table (at most `rowLimit` rows; all are in CSV and JSON).
    static func flowSection(_ s: ReportSection, rowLimit: Int) -> String {
        var h = "<section id=\"\(esc(s.id))\"><h2>\(esc(s.title)) <span class=\"n\">\(s.rows.count)</span></h2><p class=\"note\">\(esc(s.note))</p>"
        h += "<div class=\"cards\">"
        for f in s.figures {
            h += "<div class=\"card\(f.attention ? " warn" : "")\"><div class=\"v\">\(esc(f.value.description))</div><div class=\"l\">\(esc(f.label))</div></div>"
        }
        h += "</div>"
        guard !s.rows.isEmpty else { return h + "<p class=\"empty\">\(esc(s.empty))</p></section>" }
        h += "<div class=\"scroll\"><table><thead><tr>"
        for c in s.columns { h += "<th>\(esc(c.replacingOccurrences(of: "_", with: " ")))</th>" }
        h += "</tr></thead><tbody>"
        for r in s.rows.prefix(rowLimit) {
            h += "<tr>"
            for v in r {
                if case .int(let n) = v { h += "<td class=\"r\">\(n)</td>" } else { h += "<td>\(esc(v.description))</td>" }
            }
            h += "</tr>"
        }
        h += "</tbody></table></div>"
        if s.rows.count > rowLimit { h += "<p class=\"note\">\(s.rows.count - rowLimit) more rows in the CSV and JSON reports.</p>" }
        return h + "</section>"
    }

    static func summary(_ t: ReconciliationTotals) -> String {
        let a = t.all
        var cards: [(String, String, String)] = [
            ("Orders", "\(a.orders)", ""),
            ("Complete", "\(a.ordersComplete)", "ok"),
            ("Open", "\(a.ordersOpen)", a.ordersOpen > 0 ? "warn" : ""),
            ("Short", "\(a.ordersShort)", a.ordersShort > 0 ? "bad" : ""),
            ("Over", "\(a.ordersOver)", a.ordersOver > 0 ? "bad" : ""),
            ("Unknown references", "\(t.unknownReferences)", t.unknownReferences > 0 ? "bad" : ""),
            ("Fill rate", a.fillRateText, ""),
        ]
        for k in t.byCurrency.keys.sorted() {
            let c = t.byCurrency[k]!
            if c.openMinor > 0 || c.shortMinor > 0 {
                cards.append(("\(k) open / short", "\(c.openValue) / \(c.shortValue)", c.shortMinor > 0 ? "warn" : ""))
            }
        }
        var h = "<section class=\"cards\">"
        for (label, value, cls) in cards {
            h += "<div class=\"card \(cls)\"><div class=\"v\">\(esc(value))</div><div class=\"l\">\(esc(label))</div></div>"
        }
        h += "</section>"
        h += "<p class=\"units\">\(a.lines) lines · \(a.instructed) units instructed · \(a.shipped) shipped · \(a.open) open · \(a.short) short · \(a.over) over</p>"
        return h
    }

    static func chartCard(_ title: String, _ svg: String) -> String {
        "<div class=\"chart\"><h3>\(esc(title))</h3>\(svg)</div>"
    }

    /// Horizontal bars; `value` 0...max, label on the left, text on the right.
    static func barChart(_ rows: [(label: String, value: Int, max: Int, text: String, color: String)], empty: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(esc(empty))</p>" }
        let rowH = 26
        let width = 360
        let labelW = 110
        let barW = 180
        var s = "<svg role=\"img\" viewBox=\"0 0 \(width) \(rows.count * rowH + 8)\" width=\"100%\">"
        for (i, r) in rows.enumerated() {
            let y = i * rowH + 4
            let w = r.max > 0 ? r.value * barW / r.max : 0
            s += "<text x=\"\(labelW - 6)\" y=\"\(y + 16)\" text-anchor=\"end\" class=\"lbl\">\(esc(r.label))</text>"
            s += "<rect x=\"\(labelW)\" y=\"\(y + 3)\" width=\"\(barW)\" height=\"18\" rx=\"3\" fill=\"#eef1f4\"/>"
            s += "<rect x=\"\(labelW)\" y=\"\(y + 3)\" width=\"\(w)\" height=\"18\" rx=\"3\" fill=\"\(r.color)\"/>"
            s += "<text x=\"\(labelW + barW + 6)\" y=\"\(y + 16)\" class=\"val\">\(esc(r.text))</text>"
        }
        return s + "</svg>"
    }

    static func fillRateChart(_ t: ReconciliationTotals) -> String {
        let rows = t.byWarehouse.keys.sorted().map { k -> (String, Int, Int, String, String) in
            let x = t.byWarehouse[k]!
            let bp = x.fillRateBasisPoints ?? 0
            let color = x.fillRateBasisPoints == nil ? "#c8ced6" : bp >= 9800 ? "#2e9e5b" : bp >= 9500 ? "#e0a100" : "#d64545"
            return (k, bp, 10_000, x.fillRateText, color)
        }
        return barChart(rows, empty: "No orders in this period.")
    }

    static func ageChart(_ t: ReconciliationTotals, labels: [String]) -> String {
        let maxV = max(1, labels.map { t.ageBuckets[$0] ?? 0 }.max() ?? 1)
        let colors = ["#2e9e5b", "#e0a100", "#d64545"]
        let rows = labels.enumerated().map { i, l -> (String, Int, Int, String, String) in
            let color = i == labels.count - 1 ? colors[2] : i == 0 ? colors[0] : colors[1]
            return (l, t.ageBuckets[l] ?? 0, maxV, "\(t.ageBuckets[l] ?? 0)", color)
        }
        return barChart(rows, empty: "")
    }

    static func reasonChart(_ t: ReconciliationTotals) -> String {
        let maxV = max(1, t.shortByReason.values.max() ?? 1)
        let rows = ShortReason.allCases.map(\.rawValue).compactMap { r -> (String, Int, Int, String, String)? in
            guard let n = t.shortByReason[r] else { return nil }
            return (r.replacingOccurrences(of: "_", with: " "), n, maxV, "\(n)", "#d64545")
        }
        return barChart(rows, empty: "No short shipments.")
    }

    static func exceptionsTable(_ orders: [ReconOrder], count: Int) -> String {
        var h = "<section><h2>Exceptions <span class=\"n\">\(count)</span></h2>"
        guard count > 0 else { return h + "<p class=\"empty\">Every order went as ordered.</p></section>" }
        if count > orders.count {
            h += "<p class=\"note\">The first \(orders.count) of \(count) are listed; the CSV and JSON reports have all.</p>"
        }
        let showCustomer = orders.contains { !$0.customer.isEmpty }
        h += "<table><thead><tr><th>Order</th>" + (showCustomer ? "<th>Customer</th>" : "") + "<th>Warehouse</th><th>Order date</th><th>Status</th><th class=\"r\">Instructed</th><th class=\"r\">Shipped</th><th class=\"r\">Open</th><th class=\"r\">Short</th><th class=\"r\">Over</th><th>Reasons</th><th class=\"r\">Age</th><th class=\"r\">Open value</th><th class=\"r\">Short value</th></tr></thead><tbody>"
        for o in orders {
            let sum = o.lines.reduce(into: (i: 0, s: 0, o: 0, sh: 0, ov: 0)) {
                $0.i += $1.instructed
                $0.s += $1.shipped
                $0.o += $1.open
                $0.sh += $1.short
                $0.ov += $1.over
            }
            let reasons = Set(o.lines.compactMap { $0.reason?.rawValue }).sorted().joined(separator: ", ")
            h += "<tr><td class=\"id\">\(esc(o.orderId))</td>" + (showCustomer ? "<td class=\"id\">\(esc(o.customer))</td>" : "")
                + "<td>\(esc(o.warehouse))</td><td>\(esc(o.day))</td><td>\(badge(o.status))</td>"
            h += "<td class=\"r\">\(sum.i)</td><td class=\"r\">\(sum.s)</td><td class=\"r\">\(sum.o)</td><td class=\"r\">\(sum.sh)</td><td class=\"r\">\(sum.ov)</td>"
            h += "<td>\(esc(reasons))</td><td class=\"r\">\(o.ageHours.map { "\($0) h" } ?? "")</td>"
            h += "<td class=\"r\">\(money(o.openValueMinor, o))</td><td class=\"r\">\(money(o.shortValueMinor, o))</td></tr>"
        }
        return h + "</tbody></table></section>"
    }

    static func unknownTable(_ unknown: [UnknownReference]) -> String {
        var h = "<section><h2>Unknown references <span class=\"n\">\(unknown.count)</span></h2>"
        guard !unknown.isEmpty else { return h + "<p class=\"empty\">Every confirmation matched an order erpwms sent.</p></section>" }
        h += "<p class=\"note\">The WMS confirmed these shipments for orders erpwms never instructed.</p>"
        h += "<table><thead><tr><th>Order</th><th>Shipment</th><th>Warehouse</th><th>Ship date</th><th class=\"r\">Lines</th><th class=\"r\">Units</th></tr></thead><tbody>"
        for u in unknown {
            h += "<tr><td class=\"id\">\(esc(u.orderId))</td><td>\(esc(u.shipmentId))</td><td>\(esc(u.warehouse))</td><td>\(esc(u.shipDate))</td><td class=\"r\">\(u.lines)</td><td class=\"r\">\(u.units)</td></tr>"
        }
        return h + "</tbody></table></section>"
    }

    static func totalsTable(_ title: String, _ keyName: String, _ groups: [String: ReconTotals]) -> String {
        var h = "<section><h2>\(esc(title))</h2><table><thead><tr><th>\(esc(keyName))</th><th class=\"r\">Orders</th><th class=\"r\">Complete</th><th class=\"r\">Open</th><th class=\"r\">Short</th><th class=\"r\">Over</th><th class=\"r\">Units instructed</th><th class=\"r\">Shipped</th><th class=\"r\">Open</th><th class=\"r\">Short</th><th class=\"r\">Over</th><th class=\"r\">Fill rate</th></tr></thead><tbody>"
        for k in groups.keys.sorted() {
            let x = groups[k]!
            h += "<tr><td>\(esc(k))</td><td class=\"r\">\(x.orders)</td><td class=\"r\">\(x.ordersComplete)</td><td class=\"r\">\(x.ordersOpen)</td><td class=\"r\">\(x.ordersShort)</td><td class=\"r\">\(x.ordersOver)</td><td class=\"r\">\(x.instructed)</td><td class=\"r\">\(x.shipped)</td><td class=\"r\">\(x.open)</td><td class=\"r\">\(x.short)</td><td class=\"r\">\(x.over)</td><td class=\"r\">\(esc(x.fillRateText))</td></tr>"
        }
        return h + "</tbody></table></section>"
    }

    static func currencyTable(_ t: ReconciliationTotals) -> String {
        var h = "<section><h2>Value by currency</h2><table><thead><tr><th>Currency</th><th class=\"r\">Orders</th><th class=\"r\">Open value</th><th class=\"r\">Short value</th></tr></thead><tbody>"
        for k in t.byCurrency.keys.sorted() {
            let c = t.byCurrency[k]!
            h += "<tr><td>\(esc(k))</td><td class=\"r\">\(c.orders)</td><td class=\"r\">\(esc(c.openValue))</td><td class=\"r\">\(esc(c.shortValue))</td></tr>"
        }
        return h + "</tbody></table></section>"
    }

    static func detailsTable(_ orders: [ReconOrder]) -> String {
        guard !orders.isEmpty else { return "" }
        var h = "<section><h2>Details of the exceptions</h2><table class=\"details\"><thead><tr><th>Order</th><th class=\"r\">Line</th><th>SKU</th><th class=\"r\">Instructed</th><th class=\"r\">Shipped</th><th class=\"r\">Open</th><th class=\"r\">Short</th><th class=\"r\">Over</th><th>Status</th><th>Reason</th></tr></thead><tbody>"
        for o in orders {
            for l in o.lines {
                h += "<tr><td class=\"id\">\(esc(o.orderId))</td><td class=\"r\">\(l.lineNo)</td><td>\(esc(l.sku))</td><td class=\"r\">\(l.instructed)</td><td class=\"r\">\(l.shipped)</td><td class=\"r\">\(l.open)</td><td class=\"r\">\(l.short)</td><td class=\"r\">\(l.over)</td><td>\(badge(l.status))</td><td>\(esc(l.reason?.rawValue ?? ""))</td></tr>"
            }
        }
        return h + "</tbody></table></section>"
    }

    // MARK: - Helpers

    static func period(_ m: ReportMeta) -> String {
        switch (m.since, m.until) {
        case let (s?, u?): return " · orders from \(esc(s)) to \(esc(u))"
        case let (s?, nil): return " · orders from \(esc(s))"
        case let (nil, u?): return " · orders before \(esc(u))"
        default: return " · all orders"
        }
    }

    static func badge(_ s: ReconStatus) -> String {
        "<span class=\"b \(s.rawValue)\">\(s.rawValue.replacingOccurrences(of: "_", with: " "))</span>"
    }

    static func money(_ minor: Int64, _ o: ReconOrder) -> String {
        minor == 0 ? "" : esc(Money(minorUnits: minor, scale: o.scale).description + " " + o.currency)
    }

    /// Escapes text for HTML element content and attribute values.
    static func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    static let css = """
    body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Noto Sans",Helvetica,Arial,sans-serif;color:#1d2530;margin:0;padding:24px 32px;background:#f7f8fa}
    h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}h3{font-size:14px;margin:0 0 8px;color:#4a5563}
    .meta{color:#5b6573;margin:0 0 16px}.n{background:#e4e8ee;border-radius:10px;padding:1px 8px;font-size:13px;color:#3a4350}
    .cards{display:flex;flex-wrap:wrap;gap:10px}.card{background:#fff;border:1px solid #e1e5ea;border-radius:8px;padding:10px 16px;min-width:110px}
    .card .v{font-size:22px;font-weight:600}.card .l{color:#5b6573;font-size:12px}.card.ok .v{color:#2e9e5b}.card.warn .v{color:#b37f00}.card.bad .v{color:#c43d3d}
    .units{color:#5b6573;margin:10px 0 0}
    .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:14px;margin-top:18px}
    .chart{background:#fff;border:1px solid #e1e5ea;border-radius:8px;padding:12px 14px}
    .lbl{font-size:12px;fill:#3a4350}.val{font-size:12px;fill:#1d2530;font-weight:600}
    table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #e1e5ea;border-radius:8px;overflow:hidden}
    th,td{padding:6px 10px;border-bottom:1px solid #eef1f4;text-align:left;white-space:nowrap}th{background:#f0f3f6;font-weight:600;font-size:12px;color:#3a4350}
    td.r,th.r{text-align:right;font-variant-numeric:tabular-nums}td.id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
    tbody tr:hover{background:#fafbfc}.details td{font-size:13px}
    .b{border-radius:4px;padding:1px 7px;font-size:12px;font-weight:600}.b.complete{background:#e3f4ea;color:#1f7a45}.b.open{background:#fff4d6;color:#8a6200}
    .b.short{background:#fde5e5;color:#a32f2f}.b.over{background:#efe3fb;color:#6b3aa0}.b.unknown_reference{background:#e6ecf5;color:#2e4a75}
    .empty{color:#5b6573;font-style:italic}.note{color:#5b6573}.scroll{overflow-x:auto}
    footer{margin-top:32px;color:#7a8492;font-size:12px}
    """
}
