import Foundation
import HTTPTypes
import Hummingbird
import Logging
import RetreatApp
import RetreatScheduling

/// The couples' page: `GET /` shows the free start dates of the next months, `GET /request?start=D` the request
/// form, `POST /request` places a hold through the same use case as `retreat book --hold`.
///
/// What a response may hold: the practice's public terms, free dates, and what this couple typed. Nothing of
/// any other booking reaches this code (`publicCalendar` returns dates only).
struct CoupleRoutes: Sendable {
    let runner: UseCaseRunner
    let options: ServerOptions
    let csrf: CSRF
    let perIP: RateLimiter
    let perAddress: RateLimiter
    /// The caps of the form's fields in Unicode scalars, as the use case's input checks apply them (names 200,
    /// a mailbox 128 for its name plus 254 for its address and the quotes and brackets around them, the note
    /// 4,000), with room for the hidden and chosen fields.
    static let fieldCaps = [
        ("name1", 200), ("name2", 200), ("email1", 400), ("email2", 400), ("note", 4000), ("start", 10), ("priority1", 40),
        ("priority2", 40), ("priority3", 40), ("csrf", 64), ("request", 32),
    ]

    /// Largest form body accepted: every field at its cap, each scalar percent-encoded at its longest (a
    /// 4-byte UTF-8 scalar is 12 bytes as `%F0%9F%98%80`; a 3-byte one, such as Cyrillic or CJK, 9), plus the
    /// field names and separators. About 64 KiB; the use case then checks each field's own cap.
    static let maxBody = fieldCaps.reduce(0) { $0 + $1.0.utf8.count + 2 + $1.1 * 12 }

    /// A body up to this size is still read when it is over `maxBody`, so that the form can be shown again
    /// with what was typed; a larger one is refused unread.
    static let maxReadBody = 4 * maxBody

    /// Priorities in the couple's words, in the order the practice's page lists them.
    static let priorities: [(id: String, words: String)] = [
        ("unresolved-issues", "Issues we keep coming back to"),
        ("affair-recovery", "Healing after an affair"),
        ("communication", "Talking and listening to each other"),
        ("intimacy", "Closeness, sex and intimacy"),
    ]

    func add(to router: Router<RetreatContext>) {
        router.get("/") { request, _ in try await calendarPage(request) }
        router.get("/request") { request, _ in try await formPage(request) }
        router.post("/request") { request, context in try await submit(request, context) }
        router.get("/style.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: HTML.stylesheet)))
        }
    }

    // MARK: pages

    func calendarPage(_ request: Request) async throws -> Response {
        let from = request.uri.queryParameters["from"].flatMap { CalendarDay(iso: "\($0)-01") }
        let months = options.months
        let view = try await runner.run(as: "web") { try $0.publicCalendar(from: from, months: months) }
        let free = Set(view.freeStarts)
        var body = """
            <h1>Choose a start date for your \(view.intensiveDays)-day intensive</h1>
            <p>Each day runs \(view.dayStart)–\(view.dayEnd). Dates in green are free to start on; pick one to request it. \
            We hold it for \(view.holdExpiryHours) hours while you pay the deposit of \(HTML.escape(view.deposit)) \
            (the intensive costs \(HTML.escape(view.price))).</p>
            <p class="legend"><span class="swatch"></span> free start date</p>
            <div class="months">

            """
        for first in view.months { body += monthTable(first, free: free, today: view.today) }
        body += "</div>\n<nav class=\"pages\">"
        if let firstShown = view.months.first, firstShown > CalendarDay(year: view.today.year, month: view.today.month, day: 1) ?? view.today {
            body += "<a href=\"/?from=\(HTML.monthKey(firstShown.adding(months: -months)))\">← Earlier months</a>"
        } else {
            body += "<span></span>"
        }
        if let lastShown = view.months.last, lastShown < view.lastMonth {
            body += "<a href=\"/?from=\(HTML.monthKey(lastShown.adding(months: 1)))\">Later months →</a>"
        }
        body += "</nav>\n"
        if view.freeStarts.isEmpty {
            body += "<p class=\"notice\">No start date is free in these months. Try later months, or write to us at \(HTML.escape(view.contactEmail)).</p>\n"
        }
        return html(.ok, title: "Free dates", practice: view.practiceName, body: body)
    }

    func monthTable(_ first: CalendarDay, free: Set<CalendarDay>, today: CalendarDay) -> String {
        var out = "<table class=\"month\"><caption>\(HTML.monthNames[first.month - 1]) \(first.year)</caption>\n<thead><tr>"
        for name in HTML.weekdayNames { out += "<th scope=\"col\" abbr=\"\(name)\">\(name.prefix(2))</th>" }
        out += "</tr></thead>\n<tbody><tr>"
        let lead = first.weekday.rawValue - 1
        out += String(repeating: "<td></td>", count: lead)
        let count = CalendarDay.daysInMonth(year: first.year, month: first.month)
        for offset in 0..<count {
            let day = first.adding(days: offset)
            if offset > 0 && (lead + offset) % 7 == 0 { out += "</tr>\n<tr>" }
            if free.contains(day) {
                out += "<td class=\"free\"><a href=\"/request?start=\(day)\" aria-label=\"Start on \(HTML.long(day))\">\(day.day)</a></td>"
            } else {
                out += "<td>\(day.day)</td>"
            }
        }
        out += String(repeating: "<td></td>", count: (7 - (lead + count) % 7) % 7)
        out += "</tr></tbody></table>\n"
        return out
    }

    /// What a couple typed, to show the form again after a refusal (only to them).
    struct Draft {
        var start: CalendarDay?
        var name1 = ""
        var name2 = ""
        var email1 = ""
        var email2 = ""
        var priorities = ["", "", ""]
        var note = ""
        var requestID: String?
    }

    func formPage(_ request: Request) async throws -> Response {
        let start = request.uri.queryParameters["start"].flatMap { CalendarDay(iso: String($0)) }
        var draft = Draft()
        draft.start = start
        return try await form(draft, status: .ok, notice: nil, cookieNonce: request.cookies[CSRF.cookieName]?.value)
    }

    /// The form with `draft` filled in, a fresh CSRF token for the (new or kept) cookie, and `notice` on top.
    func form(_ draft: Draft, status: HTTPResponse.Status, notice: String?, cookieNonce: String?) async throws -> Response {
        let months = options.months
        let view = try await runner.run(as: "web") { try $0.publicCalendar(from: draft.start, months: months) }
        let nonce = cookieNonce.flatMap { CSRF.isNonce($0) ? $0 : nil } ?? CSRF.nonce()
        let token = csrf.token(for: nonce, at: options.clock())
        let requestID = draft.requestID ?? CSRF.nonce()
        var body = "<h1>Request dates for your intensive</h1>\n"
        if let notice { body += "<p class=\"notice\" role=\"alert\">\(notice)</p>\n" }
        if let start = draft.start, notice == nil, !view.freeStarts.contains(start) {
            body += "<p class=\"notice\" role=\"alert\">\(HTML.long(start)) is not free to start on. Please choose another date below.</p>\n"
        }
        guard !view.freeStarts.isEmpty else {
            body += "<p>No start date is free in these months. <a href=\"/\">See other months</a>.</p>\n"
            return html(status, title: "Request dates", practice: view.practiceName, body: body, nonce: nonce)
        }
        body += """
            <form method="post" action="/request">
            <input type="hidden" name="csrf" value="\(HTML.escape(token))">
            <input type="hidden" name="request" value="\(HTML.escape(requestID))">
            <label>Preferred start
            <select name="start" required>

            """
        let selected = draft.start.flatMap { view.freeStarts.contains($0) ? $0 : nil } ?? view.freeStarts.first
        for day in view.freeStarts {
            let end = day.adding(days: view.intensiveDays - 1)
            body += "<option value=\"\(day)\"\(day == selected ? " selected" : "")>\(HTML.short(day)) – \(HTML.short(end)) \(end.year)</option>\n"
        }
        body += """
            </select></label>
            <fieldset><legend>Your names</legend>
            <label>Your name <input name="name1" maxlength="200" required autocomplete="name" value="\(HTML.escape(draft.name1))"></label>
            <label>Your partner's name <span class="small">(optional)</span> <input name="name2" maxlength="200" value="\(HTML.escape(draft.name2))"></label>
            </fieldset>
            <fieldset><legend>Where we can write to you</legend>
            <label>Your e-mail address <input type="email" name="email1" maxlength="254" required autocomplete="email" value="\(HTML.escape(draft.email1))"></label>
            <label>Your partner's e-mail address <span class="small">(optional)</span> <input type="email" name="email2" maxlength="254" value="\(HTML.escape(draft.email2))"></label>
            </fieldset>
            <fieldset><legend>What would you most like to work on?</legend>

            """
        for (i, label) in ["Most important", "Next <span class=\"small\">(optional)</span>", "Then <span class=\"small\">(optional)</span>"].enumerated() {
            body += "<label>\(label) <select name=\"priority\(i + 1)\"><option value=\"\">—</option>"
            for p in Self.priorities {
                body += "<option value=\"\(p.id)\"\(draft.priorities[i] == p.id ? " selected" : "")>\(HTML.escape(p.words))</option>"
            }
            body += "</select></label>\n"
        }
        body += """
            </fieldset>
            <label>Anything you would like us to know <span class="small">(optional)</span>
            <textarea name="note" rows="5" maxlength="4000">\(HTML.escape(draft.note))</textarea></label>
            <p class="small">Only our counselors read what you write here. It never appears in a calendar.</p>
            <button type="submit">Request these dates</button>
            </form>

            """
        return html(status, title: "Request dates", practice: view.practiceName, body: body, nonce: nonce)
    }

    // MARK: submitting

    func submit(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let now = options.clock()
        guard let type = request.headers[.contentType], MediaType.isForm(type) else {
            return plainPage(.unsupportedMediaType, "Please send the form from our request page.")
        }
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: Self.maxReadBody)
        } catch {
            return plainPage(.contentTooLarge, "The form is too large: please shorten the note.")
        }
        guard let fields = FormFields(String(buffer: bytes)) else {
            return plainPage(.badRequest, "The form could not be read. Please open the request page again.")
        }
        let nonce = request.cookies[CSRF.cookieName]?.value ?? ""
        guard csrf.verify(token: fields["csrf"], nonce: nonce, at: now), originAllowed(request) else {
            return plainPage(
                .forbidden,
                "This form has expired or did not come from our request page. Nothing was sent. Please <a href=\"/request\">open the request page again</a>.")
        }
        // Only forms that came from our page count against the address's hourly allowance.
        if let wait = perIP.attempt("ip:\(clientAddress(request, context))", at: now) { return tooMany(wait) }
        var draft = Draft()
        draft.start = CalendarDay(iso: fields["start"])
        draft.name1 = fields["name1"]
        draft.name2 = fields["name2"]
        draft.email1 = fields["email1"]
        draft.email2 = fields["email2"]
        draft.priorities = (1...3).map { fields["priority\($0)"] }
        draft.note = fields["note"]
        let requestID = fields["request"]
        draft.requestID = CSRF.isNonce(requestID) ? requestID : nil
        if bytes.readableBytes > Self.maxBody {
            return try await form(
                draft, status: .contentTooLarge,
                notice: "The form is too large: the note may hold at most 4,000 characters and each name 200. Nothing was sent; please shorten it.",
                cookieNonce: nonce)
        }
        guard let start = draft.start else {
            return try await form(draft, status: .badRequest, notice: "Please choose a start date.", cookieNonce: nonce)
        }
        let chosen = draft.priorities.filter { !$0.isEmpty }
        guard chosen.allSatisfy({ p in Self.priorities.contains { $0.id == p } }) else {
            return try await form(draft, status: .badRequest, notice: "Please choose what you would like to work on from the lists.", cookieNonce: nonce)
        }
        guard Set(chosen).count == chosen.count else {
            return try await form(draft, status: .badRequest, notice: "Please choose each topic once.", cookieNonce: nonce)
        }
        // The addresses as the use case will take them (one mailbox per field), so that the per-address limit
        // counts `Hal <hal@t.org>` and `<HAL@t.org>` as one address.
        let emails = [draft.email1, draft.email2]
        let addressKeys: [String]
        do {
            addressKeys = try DateRequest.checkedAddresses(emails).map { "mail:" + $0.address.addrSpec.lowercased() }
        } catch {
            return try await form(draft, status: ErrorStatus.of(error.kind), notice: HTML.escape(Self.sentence(error.message)), cookieNonce: nonce)
        }
        // An address may receive a few holds a day (each one sends it mail). The allowance is taken before the
        // use case runs, for every address at once, so that concurrent posts cannot all pass; a refused or
        // repeated request gives it back.
        if let wait = perAddress.reserve(addressKeys, at: now) { return tooMany(wait) }
        let dateRequest = DateRequest(
            names: [draft.name1, draft.name2], emails: emails.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }, start: start,
            priorities: chosen, note: draft.note, requestID: draft.requestID.map { "web-\($0)" })
        let outcome: DateRequestOutcome
        do {
            outcome = try await runner.write(as: "web") { try $0.requestDates(dateRequest) }
        } catch let error as AppError {
            perAddress.release(addressKeys, at: now)
            if UseCaseRunner.isBusy(error) {
                var response = plainPage(
                    .serviceUnavailable, "We are saving other changes just now. Nothing was booked. Please go back and send the form again in a minute.")
                response.headers[.retryAfter] = String(ErrorStatus.retryAfterSeconds)
                return response
            }
            switch error.kind {
            case .conflict:
                draft.requestID = nil
                let taken = error.rejections.contains { [.booked, .held, .turnover].contains($0.reason) }
                if !taken { draft.start = nil }  // the form then opens on this month's free dates
                let notice =
                    taken
                    ? "Sorry: \(HTML.long(start)) was taken while you were filling in the form. Nothing was booked. Please choose another date; what you wrote is kept below."
                    : "Sorry: \(HTML.long(start)) is not offered as a start date. Nothing was booked. Please choose one of the free dates below; what you wrote is kept."
                return try await form(draft, status: .conflict, notice: notice, cookieNonce: nonce)
            case .badInput, .invalid:
                return try await form(draft, status: ErrorStatus.of(error.kind), notice: HTML.escape(Self.sentence(error.message)), cookieNonce: nonce)
            default:
                context.logger.error("request for dates failed", metadata: ["kind": "\(error.kind.rawValue)"])
                return plainPage(.internalServerError, "Your request could not be saved. Nothing was booked. Please try again later.")
            }
        } catch {
            perAddress.release(addressKeys, at: now)
            throw error
        }
        if outcome.replayed { perAddress.release(addressKeys, at: now) }
        for notice in outcome.notices {
            // The seam for the invitations issue: its outbox takes these (recipients are never logged).
            context.logger.info("notice pending", metadata: ["notice": "\(notice.kind.rawValue)", "booking": "\(notice.bookingID)"])
        }
        return try await thanks(outcome)
    }

    func thanks(_ outcome: DateRequestOutcome) async throws -> Response {
        let b = outcome.booking
        let view = try await runner.run(as: "web") { try $0.publicCalendar(months: 1) }
        let lapse =
            b.holdExpiresAt.map { instant -> String in
                let local = LocalTime(instant, in: view.timeZone)
                return "\(HTML.long(local.day)) at \(local.time) (\(view.timeZone.identifier) time)"
            } ?? ""
        let body = """
            <h1>Thank you: we are holding your dates</h1>
            <p class="ok">\(HTML.long(b.start)) to \(HTML.long(b.end)).</p>
            <h2>What happens next</h2>
            <ol>
            <li>We will write to you at the address\(b.contact?.contains(",") == true ? "es" : "") you gave (\(HTML.escape(b.contact ?? ""))) within one working day, with how to pay the deposit.</li>
            <li>We hold the dates for \(view.holdExpiryHours) hours\(lapse.isEmpty ? "" : ", until \(lapse)"). The deposit of \(HTML.escape(Money.format(cents: b.deposit.amountCents, currency: outcome.currency))) confirms them; without it the hold lapses and the dates become free again.</li>
            <li>Before the intensive we send a short intake questionnaire, and a calendar of your \(b.intensiveDays) days.</li>
            </ol>
            <p class="small">Questions: write to \(HTML.escape(view.contactEmail)) from the address you gave.</p>

            """
        return html(.ok, title: "Request received", practice: view.practiceName, body: body)
    }

    // MARK: helpers

    /// The client's address for the per-IP limit: the socket's peer, or with `--trust-forwarded-for` the last
    /// `X-Forwarded-For` entry (the one the proxy added).
    func clientAddress(_ request: Request, _ context: RetreatContext) -> String {
        if options.trustForwardedFor, let name = HTTPField.Name("X-Forwarded-For"), let forwarded = request.headers[name]?.split(separator: ",").last {
            return String(forwarded).trimmingCharacters(in: .whitespaces)
        }
        return context.peerAddress ?? "unknown"
    }

    /// A browser's `Origin`, when it sends one, must be this server: the base URL's origin, or without one the
    /// `Host` the request names (over http or https). Scheme and host compare without case, a default port
    /// equals none, and an IPv6 host keeps its brackets (`http://[::1]:8080`).
    func originAllowed(_ request: Request) -> Bool {
        guard let header = request.headers[.origin] else { return true }
        guard let origin = ServerOptions.origin(header) else { return false }  // `null` and anything malformed
        if let base = options.baseURL { return ServerOptions.origin(base) == origin }
        guard let host = request.head.authority else { return false }
        return ["http", "https"].contains { ServerOptions.origin(scheme: $0, authority: Substring(host)) == origin }
    }

    static func sentence(_ message: String) -> String {
        guard let first = message.first else { return message }
        return first.uppercased() + message.dropFirst() + (message.hasSuffix(".") ? "" : ".")
    }

    func tooMany(_ wait: TimeInterval) -> Response {
        let minutes = Int((wait / 60).rounded(.up))
        var response = plainPage(
            .tooManyRequests,
            "We have received several requests from you already. Please try again in \(minutes) minute\(minutes == 1 ? "" : "s"), or write to us.")
        response.headers[.retryAfter] = String(Int(wait))
        return response
    }

    func plainPage(_ status: HTTPResponse.Status, _ sentence: String) -> Response {
        html(status, title: "Request dates", practice: "Request dates", body: "<h1>Request dates</h1>\n<p class=\"notice\">\(sentence)</p>\n")
    }

    func html(_ status: HTTPResponse.Status, title: String, practice: String, body: String, nonce: String? = nil) -> Response {
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: HTML.page(title: title, practice: practice, body: body))))
        if let nonce {
            let secure = options.baseURL?.hasPrefix("https://") == true
            response.headers[values: .setCookie].append(
                "\(CSRF.cookieName)=\(nonce); Path=/request; Max-Age=7200; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")")
        }
        return response
    }
}

/// An `application/x-www-form-urlencoded` body: the first value of each field; nil when not decodable.
struct FormFields {
    private var values: [String: String] = [:]

    init?(_ body: String) {
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = Self.decode(kv[0]), let value = Self.decode(kv.count > 1 ? kv[1] : "") else { return nil }
            if values[key] == nil { values[key] = value }
        }
    }

    static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// The field's value, "" when absent.
    subscript(_ key: String) -> String { values[key] ?? "" }
}
