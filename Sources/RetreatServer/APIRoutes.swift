import Foundation
import HTTPTypes
import Hummingbird
import RetreatAgenda
import RetreatApp
import RetreatScheduling
import RetreatStore

/// The staff JSON API under `/api/`: what the CLI does, through the same use cases, behind bearer tokens
/// (`retreat tokens create`). Bodies and answers are the JSON the CLI reads and prints; errors are
/// `{"error":{"kind","message","rejections"}}` with the status of the use case's error kind.
struct APIRoutes: Sendable {
    let runner: UseCaseRunner

    typealias Handler = @Sendable (Request, RetreatContext) async throws -> Response

    /// One endpoint: method, path (OpenAPI syntax, which Hummingbird shares), handler. GET reads; anything
    /// else writes and needs the staff role.
    struct Endpoint: Sendable {
        let method: HTTPRequest.Method
        let path: String
        let handler: @Sendable (APIRoutes) -> Handler
    }

    /// Method and path of every endpoint (what `/openapi.json` must describe).
    static var endpointList: [(method: String, path: String)] {
        endpoints.map { ($0.method.rawValue, $0.path) }
    }

    /// Every endpoint, in the order `/openapi.json` lists them.
    static let endpoints: [Endpoint] = [
        Endpoint(method: .get, path: "/api/availability") { api in api.availability },
        Endpoint(method: .get, path: "/api/check/{date}") { api in api.check },
        Endpoint(method: .get, path: "/api/bookings") { api in api.list },
        Endpoint(method: .post, path: "/api/bookings") { api in api.book },
        Endpoint(method: .get, path: "/api/bookings/{id}") { api in api.show },
        Endpoint(method: .post, path: "/api/bookings/{id}/confirm") { api in api.confirm },
        Endpoint(method: .post, path: "/api/bookings/{id}/cancel") { api in api.cancel },
        Endpoint(method: .post, path: "/api/bookings/{id}/reschedule") { api in api.reschedule },
        Endpoint(method: .post, path: "/api/bookings/{id}/payments") { api in api.pay },
        Endpoint(method: .get, path: "/api/bookings/{id}/agenda") { api in api.agenda },
        Endpoint(method: .post, path: "/api/bookings/{id}/agenda") { api in api.plan },
    ]

    func add(to router: Router<RetreatContext>) {
        let api = router.group().add(middleware: BearerAuthMiddleware(runner: runner))
        for endpoint in Self.endpoints {
            let handler = endpoint.handler(self)
            api.on(RouterPath(endpoint.path), method: endpoint.method) { request, context in
                do {
                    return try await handler(request, context)
                } catch let error as AppError {
                    return Self.error(error)
                } catch is BodyTooLarge {
                    let body = ErrorJSON(error: .init(kind: "tooLarge", message: "the body is larger than \(Self.maxBody / 1024) KiB", rejections: nil))
                    return (try? Self.json(.contentTooLarge, body)) ?? Response(status: .contentTooLarge)
                }
            }
        }
    }

    // MARK: handlers

    func availability(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let q = request.uri.queryParameters
        let from = try Self.day(q["from"].map(String.init), "from")
        let to = try Self.day(q["to"].map(String.init), "to")
        guard to >= from else { throw AppError(.badInput, "to \(to) is before from \(from)") }
        guard from.days(until: to) <= 3660 else { throw AppError(.badInput, "ask for at most ten years at a time") }
        let resource = q["resource"].map(String.init)
        let slots = try await run(context) { try $0.availability(from: from, to: to, resource: resource) }
        return try Self.json(.ok, slots)
    }

    struct CheckJSON: Encodable {
        var start: CalendarDay
        var available: Bool
        var resources: [Entry]
        struct Entry: Encodable {
            var resource: String
            var available: Bool
            var reasons: [RejectionDetail]
        }
    }

    func check(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let date = try Self.day(context.decodedParameter("date"), "date")
        let resource = request.uri.queryParameters["resource"].map(String.init)
        let result = try await run(context) { try $0.check(start: date, resource: resource) }
        return try Self.json(
            .ok,
            CheckJSON(
                start: result.start, available: result.available,
                resources: result.resources.map { .init(resource: $0.resource, available: $0.rejections.isEmpty, reasons: $0.rejections) }))
    }

    func list(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let q = request.uri.queryParameters
        var filter = BookingFilter()
        filter.from = try q["from"].map { try Self.day(String($0), "from") }
        filter.to = try q["to"].map { try Self.day(String($0), "to") }
        for raw in q[values: "status"].flatMap({ $0.split(separator: ",") }) {
            guard let status = BookingStatus(rawValue: String(raw)) else {
                throw AppError(.badInput, "status \"\(raw)\" is not one of held, confirmed, completed, cancelled, expired")
            }
            filter.statuses.insert(status)
        }
        filter.owing = try Self.flag(q["owing"], "owing")
        filter.depositOverdue = try Self.flag(q["depositOverdue"], "depositOverdue")
        let withPriorities = try Self.flag(q["with-priorities"], "with-priorities")
        let f = filter
        let bookings = try await run(context) { try $0.bookings(f) }
        return try Self.json(
            .ok,
            bookings.map { b in
                var out = BookingJSON(b)
                if !withPriorities { out.priorities = nil }  // clinical: only when asked for
                return out
            })
    }

    struct BookBody: Decodable, Sendable {
        var couple: String
        var start: String
        var contact: String?
        var resource: String?
        var priorities: [String]?
        var hold: Bool?
        var price: String?
        var requestId: String?
    }

    func book(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let body = try await Self.decode(BookBody.self, request)
        let start = try Self.day(body.start, "start")
        var price: Int?
        if let text = body.price {
            guard let cents = Amount.cents(text) else { throw AppError(.badInput, "price \"\(text)\" is not an amount such as 4500.00") }
            price = cents
        }
        let key = body.requestId ?? HTTPField.Name("Idempotency-Key").flatMap { request.headers[$0] }
        let bookingRequest = BookingRequest(
            couple: body.couple, contact: body.contact, start: start, resource: body.resource, priorities: body.priorities ?? [], hold: body.hold ?? false,
            priceCents: price, requestID: key)
        let outcome = try await write(context) { try $0.book(bookingRequest) }
        var response = try Self.json(outcome.replayed ? .ok : .created, BookingJSON(outcome.booking, replayed: outcome.replayed))
        response.headers[.location] = "/api/bookings/\(outcome.booking.id)"
        return response
    }

    struct ShowJSON: Encodable {
        var booking: BookingJSON
        var contact: String?
        var note: String?
        var payments: [Payment]
        var history: [AuditEntry]
    }

    func show(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let id = context.decodedParameter("id")
        let detail = try await run(context) { try $0.bookingDetail(id: id) }
        let b = detail.booking
        let out = ShowJSON(booking: BookingJSON(b), contact: b.contact, note: detail.note, payments: b.payments, history: detail.history)
        return try Self.json(.ok, out)
    }

    func confirm(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let id = context.decodedParameter("id")
        let b = try await write(context) { try $0.confirm(id: id) }
        return try Self.json(.ok, BookingJSON(b))
    }

    struct CancelBody: Decodable, Sendable { var reason: String? }

    func cancel(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let id = context.decodedParameter("id")
        let body = try await Self.decodeOptional(CancelBody.self, request) ?? CancelBody()
        let outcome = try await write(context) { try $0.cancel(id: id, reason: body.reason) }
        return try Self.json(.ok, BookingJSON(outcome.booking))
    }

    struct RescheduleBody: Decodable, Sendable {
        var start: String
        var resource: String?
    }

    func reschedule(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let id = context.decodedParameter("id")
        let body = try await Self.decode(RescheduleBody.self, request)
        let start = try Self.day(body.start, "start")
        let outcome = try await write(context) { try $0.reschedule(id: id, to: start, resource: body.resource) }
        return try Self.json(.ok, BookingJSON(outcome.booking))
    }

    struct PayBody: Decodable, Sendable {
        var amount: String?
        var date: String?
        var note: String?
        var refund: Bool?
        var void: Int64?
    }

    func pay(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let id = context.decodedParameter("id")
        let body = try await Self.decode(PayBody.self, request)
        let b: Booking
        if let paymentID = body.void {
            guard body.amount == nil, body.refund == nil, body.date == nil, body.note == nil else {
                throw AppError(.badInput, "void takes no amount, refund, date or note")
            }
            b = try await write(context) { try $0.voidPayment(id: id, paymentID: paymentID).booking }
        } else {
            guard let text = body.amount else { throw AppError(.badInput, "give amount (e.g. \"1125.00\") or void (a payment id)") }
            guard let cents = Amount.cents(text), cents <= Money.maximumCents else {
                throw AppError(.badInput, "amount \"\(text)\" is not an amount such as 1125.00 (digits, at most two decimals, no sign)")
            }
            let day = try body.date.map { try Self.day($0, "date") }
            b = try await write(context) { try $0.pay(id: id, amountCents: cents, on: day, note: body.note, refund: body.refund ?? false).booking }
        }
        return try Self.json(.ok, BookingJSON(b))
    }

    func agenda(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let id = context.decodedParameter("id")
        let view = try await run(context) { try $0.storedAgenda(bookingID: id) }
        guard let view else {
            throw AppError(.notFound, "booking \(id.uppercased()) has no agenda yet; POST /api/bookings/\(id.uppercased())/agenda plans one")
        }
        return try Self.json(.ok, AgendaJSON(view))
    }

    struct PlanBody: Decodable, Sendable {
        var priorities: [String]?
        var replan: Bool?
    }

    func plan(_ request: Request, _ context: RetreatContext) async throws -> Response {
        let id = context.decodedParameter("id")
        let body = try await Self.decodeOptional(PlanBody.self, request) ?? PlanBody()
        let edits = AgendaEdits(priorities: body.priorities ?? [], replan: body.replan ?? false)
        let view = try await write(context) { try $0.agenda(bookingID: id, edits: edits) }
        return try Self.json(.ok, AgendaJSON(view))
    }

    // MARK: helpers

    /// Runs a reading use case as the request's token (`api:T0001` in the audit log).
    func run<T: Sendable>(_ context: RetreatContext, _ body: @escaping @Sendable (RetreatService) throws -> T) async throws -> T {
        try await runner.run(as: "api:\(context.token?.id ?? "?")", body)
    }

    /// Runs a writing use case as the request's token, one at a time (see `UseCaseRunner.write`).
    func write<T: Sendable>(_ context: RetreatContext, _ body: @escaping @Sendable (RetreatService) throws -> T) async throws -> T {
        try await runner.write(as: "api:\(context.token?.id ?? "?")", body)
    }

    /// A body over `maxBody`: 413.
    struct BodyTooLarge: Error {}

    static let maxBody = 64 * 1024

    static func day(_ text: String?, _ name: String) throws(AppError) -> CalendarDay {
        guard let text else { throw AppError(.badInput, "\(name) is missing (YYYY-MM-DD)") }
        guard let day = CalendarDay(iso: text) else { throw AppError(.badInput, "\(name) \"\(text)\" is not a valid date (expected YYYY-MM-DD)") }
        return day
    }

    static func flag(_ text: Substring?, _ name: String) throws(AppError) -> Bool {
        switch text {
        case nil, "false", "0": return false
        case "true", "1", "": return true
        default: throw AppError(.badInput, "\(name) must be true or false")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        guard let value = try await decodeOptional(type, request) else { throw AppError(.badInput, "the request needs a JSON body") }
        return value
    }

    /// The JSON body as `T`, nil when there is none; a body that is not JSON of that shape is bad input naming the field.
    static func decodeOptional<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T? {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBody)
        } catch {
            throw BodyTooLarge()
        }
        if buffer.readableBytes == 0 { return nil }
        if let type = request.headers[.contentType], !MediaType.isJSON(type) {
            throw AppError(.badInput, "send the body as application/json")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw AppError(.badInput, "field \"\(key.stringValue)\" is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw AppError(.badInput, "field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw AppError(.badInput, "field \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" must not be null")
        } catch {
            throw AppError(.badInput, "the body is not valid JSON")
        }
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        var data = try encoder().encode(value)
        data.append(0x0A)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct ErrorJSON: Encodable {
        struct Body: Encodable {
            var kind: String
            var message: String
            var rejections: [RejectionDetail]?
        }
        var error: Body
    }

    /// The JSON error for `error`: its kind's status, or 503 with Retry-After when the store was busy.
    static func error(_ error: AppError) -> Response {
        let busy = UseCaseRunner.isBusy(error)
        let status = busy ? .serviceUnavailable : ErrorStatus.of(error.kind)
        let body = ErrorJSON(
            error: .init(
                kind: busy ? "busy" : error.kind.rawValue, message: fieldNames(error.message),
                rejections: error.rejections.isEmpty ? nil : error.rejections))
        var response = (try? json(status, body)) ?? Response(status: status)
        if busy { response.headers[.retryAfter] = String(ErrorStatus.retryAfterSeconds) }
        return response
    }

    /// The CLI's option names in a use case's message (`--couple: is empty`) as the API's JSON fields
    /// (`couple: is empty`); commands in backticks are left as they are.
    static func fieldNames(_ message: String) -> String {
        let chars = Array(message)
        var out = ""
        var i = 0
        var inCommand = false  // a command in backticks stays as the CLI takes it
        while i < chars.count {
            if chars[i] == "`" { inCommand.toggle() }
            let starts = i == 0 || chars[i - 1].isWhitespace || "(\"'".contains(chars[i - 1])
            guard !inCommand, starts, i + 2 < chars.count, chars[i] == "-", chars[i + 1] == "-", chars[i + 2].isLowercase else {
                out.append(chars[i])
                i += 1
                continue
            }
            var end = i + 2
            while end < chars.count, chars[end].isLowercase || chars[end] == "-" { end += 1 }
            while chars[end - 1] == "-" { end -= 1 }
            let name = String(chars[(i + 2)..<end])
            out += optionFields[name] ?? camelCase(name)
            i = end
        }
        return out
    }

    /// CLI options whose JSON field is named otherwise.
    static let optionFields = ["priority": "priorities", "request-id": "requestId", "with-priorities": "with-priorities"]

    static func camelCase(_ name: String) -> String {
        let words = name.split(separator: "-")
        return (words.first.map(String.init) ?? "") + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}

/// Accepts `Authorization: Bearer TOKEN` for a live API token; GET and HEAD need any role, anything else the
/// staff role. Refusals are JSON errors (401 with `WWW-Authenticate`, 403).
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = RetreatContext
    let runner: UseCaseRunner

    func handle(_ request: Request, context: RetreatContext, next: (Request, RetreatContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            return Self.refuse(.unauthorized, "send Authorization: Bearer TOKEN (create one with `retreat tokens create --role staff`)")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let record: APITokenRecord?
        do {
            record = try await runner.run(as: "api") { try $0.authenticate(apiToken: token) }
        } catch let error as AppError {
            return APIRoutes.error(error)
        }
        guard let record else { return Self.refuse(.unauthorized, "the token is unknown or revoked") }
        if record.role == .readOnly && request.method != .get && request.method != .head {
            return Self.refuse(.forbidden, "token \(record.id) is read-only; this needs a staff token")
        }
        var context = context
        context.token = record
        return try await next(request, context)
    }

    static func refuse(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let body = APIRoutes.ErrorJSON(error: .init(kind: status == .unauthorized ? "unauthorized" : "forbidden", message: message, rejections: nil))
        var response = (try? APIRoutes.json(status, body)) ?? Response(status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"retreat\"" }
        return response
    }
}
