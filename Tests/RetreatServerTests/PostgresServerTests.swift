import Foundation
import Testing

/// `retreat serve` over a PostgreSQL store: the same use cases, so the same answers; the database decides the
/// race for one date there too.
@Suite struct PostgresServerTests {
    @Test func feedsRequestsAndTheAPIWorkOnPostgreSQL() async throws {
        let box = try Sandbox(postgres: true)
        defer { box.cleanup() }
        #expect(try box.run(["book", "--couple", "Lee Park", "--contact", "lee@example.org", "--start", "2027-01-11"]).code == 0)
        let feed = try box.feed(["staff"])
        let token = try box.token("staff")
        let server = try ServerProcess(box, ["--threads", "4"])
        defer { server.stop() }
        let staff = try await HTTP.get(server.base + feed.path)
        #expect(staff.status == 200 && staff.text.contains("UID:intensive-b0001@retreat") && !staff.text.contains("Lee"))
        let problems = try Validator.problems(staff.text, name: "staff-pg.ics", in: box.dir)
        #expect(problems == nil, "\(problems ?? "")")
        #expect(try await HTTP.get(server.base + feed.path, headers: ["If-None-Match": staff.header("ETag") ?? ""]).status == 304)
        let session = try await CouplePageTests.open(server, start: "2027-01-18")
        let request = try await CouplePageTests.submit(server, session, CouplePageTests.couple("2027-01-18"))
        #expect(request.status == 200, "\(request.text)")
        #expect(try await HTTP.json("POST", server.base + "/api/bookings", token: token, ["couple": "X Y", "start": "2027-01-12"]).status == 409)
        let base = server.base
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<8 {
                group.addTask {
                    try await HTTP.json("POST", base + "/api/bookings", token: token, ["couple": "Race \(i)", "start": "2027-01-25", "hold": true]).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 1 && statuses.filter { $0 == 409 }.count == 7, "\(statuses.sorted())")
        let shown = try box.json(["show", "B0002"]) as? [String: Any]
        #expect(shown?["note"] as? String == "We would like mornings <b>quiet</b>.")
        let changed = try await HTTP.get(server.base + feed.path, headers: ["If-None-Match": staff.header("ETag") ?? ""])
        #expect(changed.status == 200 && changed.text.contains("UID:intensive-b0003@retreat"))
        // A second server on the same database takes the form key from the store: a form from one posts to the other.
        let second = try ServerProcess(box)
        defer { second.stop() }
        let form = try await CouplePageTests.open(server, start: "2027-02-01")
        let posted = try await CouplePageTests.submit(second, form, CouplePageTests.couple("2027-02-01", name: "Cy Other", email: "cy@example.org"))
        #expect(posted.status == 200, "\(posted.status)")
    }
}
