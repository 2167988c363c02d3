import Foundation
import RetreatScheduling

/// Server-rendered HTML for the couples' page: no script, one small stylesheet, readable on a phone.
enum HTML {
    /// `text` with `& < > " '` escaped, safe in element content and quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
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

    /// A whole page: `title` (escaped) and `body` (already HTML).
    static func page(title: String, practice: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>\(escape(title)) · \(escape(practice))</title>
        <link rel="stylesheet" href="/style.css">
        </head>
        <body>
        <header><a href="/">\(escape(practice))</a></header>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// `Monday 11 January 2027`.
    static func long(_ day: CalendarDay) -> String {
        "\(weekdayNames[day.weekday.rawValue - 1]) \(day.day) \(monthNames[day.month - 1]) \(day.year)"
    }

    /// `Mon 11 Jan`.
    static func short(_ day: CalendarDay) -> String {
        "\(weekdayNames[day.weekday.rawValue - 1].prefix(3)) \(day.day) \(monthNames[day.month - 1].prefix(3))"
    }

    /// `YYYY-MM` of a month's first day.
    static func monthKey(_ first: CalendarDay) -> String {
        String(first.description.prefix(7))
    }

    /// The stylesheet: large tap targets, a calendar that fits 320 px.
    static let stylesheet = """
        :root { color-scheme: light; --ink: #1d2a33; --muted: #66737d; --free: #1f6f54; --line: #d5dde2; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fbfaf7; }
        header { padding: .8rem 1rem; border-bottom: 1px solid var(--line); background: #fff; }
        header a { color: var(--ink); text-decoration: none; font-weight: 600; }
        main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.5rem; line-height: 1.25; margin: .5rem 0 1rem; }
        h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
        .months { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); }
        table.month { border-collapse: collapse; width: 100%; table-layout: fixed; background: #fff; border: 1px solid var(--line); }
        table.month caption { font-weight: 600; text-align: left; padding: .4rem 0; }
        table.month th { font-size: .8rem; color: var(--muted); font-weight: 500; padding: .2rem 0; }
        table.month td { text-align: center; padding: 0; height: 2.6rem; color: #a3adb4; }
        table.month td.free a { display: block; line-height: 2.6rem; color: #fff; background: var(--free); border-radius: .4rem; margin: 2px;
          text-decoration: none; font-weight: 600; }
        table.month td.free a:focus, table.month td.free a:hover { outline: 3px solid #f2b134; }
        .legend { color: var(--muted); font-size: .9rem; }
        .legend .swatch { display: inline-block; width: 1rem; height: 1rem; background: var(--free); border-radius: .2rem; vertical-align: -.15rem; }
        nav.pages { display: flex; justify-content: space-between; margin: 1rem 0; }
        form { display: grid; gap: 1rem; }
        fieldset { border: 1px solid var(--line); border-radius: .5rem; padding: .8rem; background: #fff; display: grid; gap: .6rem; }
        label { display: grid; gap: .25rem; font-weight: 500; }
        input, select, textarea { font: inherit; padding: .55rem; border: 1px solid #9aa7b0; border-radius: .4rem; width: 100%; background: #fff; }
        button { font: inherit; font-weight: 600; padding: .8rem 1rem; border: 0; border-radius: .5rem; background: var(--free); color: #fff; }
        .notice { border-left: 4px solid #c0392b; background: #fff4f2; padding: .7rem .9rem; }
        .ok { border-left: 4px solid var(--free); background: #eef8f3; padding: .7rem .9rem; }
        .small { font-size: .9rem; color: var(--muted); }
        """
}
