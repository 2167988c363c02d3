import Foundation
import Testing

/// Subscription feeds over a real socket: every kind validated by the independent validator, private, cached
/// with ETag/Last-Modified, fresh after a reschedule, and closed at once by revocation or rotation.
@Suite struct FeedTests {
    /// A store with a confirmed booking (agenda planned), a hold, a blackout with a private reason and a series.
    static func practice() throws -> Sandbox {
        let box = try Sandbox()
        let steps: [[String]] = [
            ["book", "--couple", "Jordan Quill & Max Quill", "--contact", "jordan@example.org", "--start", "2027-01-11", "--priority", "communication"],
            ["book", "--couple", "Pat Hidden", "--start", "2027-01-18", "--hold", "--priority", "intimacy"],
            ["blackout", "add", "--from", "2027-02-01", "--to", "2027-02-05", "--reason", "surgery leave"],
            [
                "sessions", "book", "--couple", "Casey Private", "--start", "2027-03-01T12:00", "--length", "50", "--every", "week", "--count", "4",
            ],
            ["intake", "B0001", "--partner", "A", "--safety", "passed"],
            ["intake", "B0001", "--partner", "B", "--safety", "passed"],
            ["agenda", "B0001"],
        ]
        for step in steps {
            let r = try box.run(step)
            guard r.code == 0 else { throw TestFailure(description: "\(step.joined(separator: " ")): \(r.err)") }
        }
        return box
    }

    static let secrets = ["Jordan", "Quill", "Pat Hidden", "Casey", "jordan@example.org", "surgery", "communication", "intimacy"]

    @Test func everyFeedIsValidPrivateAndRefreshable() async throws {
        let box = try Self.practice()
        defer { box.cleanup() }
        let feeds = [
            ("staff", try box.feed(["staff"])), ("freebusy", try box.feed(["freebusy"])), ("counselor", try box.feed(["counselor", "practice"])),
            ("couple", try box.feed(["couple", "B0001"])),
        ]
        let server = try ServerProcess(box)
        defer { server.stop() }
        for (kind, feed) in feeds {
            let r = try await HTTP.get(server.base + feed.path)
            #expect(r.status == 200, "\(kind): \(r.status)")
            #expect(r.header("Content-Type") == "text/calendar; charset=utf-8")
            #expect(r.header("ETag")?.hasPrefix("\"") == true)
            #expect(r.header("Last-Modified")?.hasSuffix(" GMT") == true)
            let text = r.text
            #expect(text.contains("REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"), "\(kind)")
            #expect(text.contains("X-PUBLISHED-TTL:PT1H\r\n"), "\(kind)")
            #expect(text.contains("METHOD:PUBLISH\r\n"), "\(kind)")
            #expect(text.contains("X-WR-CALNAME:"), "\(kind)")
            let problems = try Validator.problems(text, name: "\(kind).ics", in: box.dir)
            #expect(problems == nil, "\(kind).ics fails ics-validate.py:\n\(problems ?? "")")
            if kind != "couple" {
                for secret in Self.secrets { #expect(!text.contains(secret), "\(kind) feed shows \"\(secret)\"") }
            }
            switch kind {
            case "staff":
                #expect(text.contains("UID:intensive-b0001@retreat") && text.contains("UID:intensive-b0002@retreat"))
                #expect(text.contains("SUMMARY:Intensive B0002") && text.contains("STATUS:TENTATIVE"))
                #expect(text.contains("UID:series-s0001@retreat"))
            case "counselor":
                #expect(text.contains("UID:intensive-b0001@retreat") && text.contains("UID:series-s0001@retreat"))
                #expect(text.contains("SUMMARY:Unavailable") && text.contains("DTSTART;VALUE=DATE:20270201") && text.contains("DTEND;VALUE=DATE:20270206"))
            case "freebusy":
                #expect(text.contains("BEGIN:VFREEBUSY") && text.contains("FREEBUSY"))
                #expect(!text.contains("B0001") && !text.contains("b0001"))
            default:
                // Only this couple's days, in client wording: no other booking, no staff titles or priorities.
                #expect(text.contains("intensive-b0001-day1"))
                #expect(!text.contains("b0002") && !text.contains("Pat") && !text.contains("s0001"))
                #expect(!text.contains("communication") && !text.contains("Serves:"))
                #expect(text.contains("CLASS:PRIVATE"))
            }
        }
    }

    @Test func conditionalRequestsAnswer304() async throws {
        let box = try Self.practice()
        defer { box.cleanup() }
        let feed = try box.feed(["staff"])
        let server = try ServerProcess(box)
        defer { server.stop() }
        let first = try await HTTP.get(server.base + feed.path)
        let etag = try #require(first.header("ETag"))
        let modified = try #require(first.header("Last-Modified"))
        let again = try await HTTP.get(server.base + feed.path)
        #expect(again.header("ETag") == etag, "the same data must give the same entity tag")
        #expect(again.body == first.body)
        let notModified = try await HTTP.get(server.base + feed.path, headers: ["If-None-Match": etag])
        #expect(notModified.status == 304)
        #expect(notModified.body.isEmpty)
        #expect(notModified.header("ETag") == etag)
        let listed = try await HTTP.get(server.base + feed.path, headers: ["If-None-Match": "\"other\", \(etag)"])
        #expect(listed.status == 304)
        // Only the entity tag answers 304: a date cannot prove that nothing changed within its second.
        let since = try await HTTP.get(server.base + feed.path, headers: ["If-Modified-Since": modified])
        #expect(since.status == 200 && since.body == first.body)
        let other = try await HTTP.get(server.base + feed.path, headers: ["If-None-Match": "\"0123\""])
        #expect(other.status == 200)
        #expect(other.body == first.body)
        let head = try await HTTP.request("HEAD", server.base + feed.path)
        #expect(head.status == 200 && head.header("ETag") == etag)
    }

    @Test func aRescheduleShowsOnTheNextFetchWithSequenceBumped() async throws {
        let box = try Self.practice()
        defer { box.cleanup() }
        let staff = try box.feed(["staff"])
        let couple = try box.feed(["couple", "B0001"])
        let server = try ServerProcess(box)
        defer { server.stop() }
        let before = try await HTTP.get(server.base + staff.path)
        let coupleBefore = try await HTTP.get(server.base + couple.path)
        #expect(before.text.contains("DTSTART;VALUE=DATE:20270111"))
        let moved = try box.run(["reschedule", "B0001", "--start", "2027-01-25"])
        #expect(moved.code == 0, "\(moved.err)")
        let after = try await HTTP.get(server.base + staff.path, headers: ["If-None-Match": before.header("ETag") ?? ""])
        #expect(after.status == 200, "a changed feed must not answer 304")
        #expect(after.header("ETag") != before.header("ETag"))
        #expect(after.text.contains("DTSTART;VALUE=DATE:20270125") && !after.text.contains("DTSTART;VALUE=DATE:20270111"))
        let b0001 = try #require(Self.event("intensive-b0001@retreat", in: after.text))
        #expect(b0001.contains("SEQUENCE:1\r\n"))
        let coupleAfter = try await HTTP.get(server.base + couple.path, headers: ["If-None-Match": coupleBefore.header("ETag") ?? ""])
        #expect(coupleAfter.status == 200)
        #expect(coupleAfter.text.contains("SEQUENCE:1\r\n") && !coupleAfter.text.contains("SEQUENCE:0\r\n"))
        #expect(coupleAfter.text.contains(";TZID=America/New_York:20270125T"))
        // The agenda went stale with the move: the feed shows the plain days until staff plan again.
        #expect(coupleBefore.text.contains("UID:intensive-b0001-day1-0"))
        #expect(coupleAfter.text.contains("UID:intensive-b0001-day1@retreat") && !coupleAfter.text.contains("UID:intensive-b0001-day1-0"))
        let problems = try Validator.problems(coupleAfter.text, name: "moved.ics", in: box.dir)
        #expect(problems == nil, "\(problems ?? "")")
        #expect(try box.run(["cancel", "B0001"]).code == 0)
        let cancelled = try await HTTP.get(server.base + staff.path)
        let event = try #require(Self.event("intensive-b0001@retreat", in: cancelled.text))
        #expect(event.contains("STATUS:CANCELLED\r\n") && event.contains("SEQUENCE:2\r\n"))
    }

    @Test func revocationAndRotationCloseTheOldURLAtOnce() async throws {
        let box = try Self.practice()
        defer { box.cleanup() }
        let staff = try box.feed(["staff"])
        let couple = try box.feed(["couple", "B0001"])
        let server = try ServerProcess(box)
        defer { server.stop() }
        #expect(try await HTTP.get(server.base + staff.path).status == 200)
        #expect(try box.run(["feeds", "revoke", staff.id]).code == 0)
        let revoked = try await HTTP.get(server.base + staff.path)
        #expect(revoked.status == 404)
        guard let rotated = try box.json(["feeds", "rotate", couple.id]) as? [String: Any], let url = rotated["url"] as? String,
            let range = url.range(of: "/feeds/")
        else { throw TestFailure(description: "rotate printed no url") }
        let old = try await HTTP.get(server.base + couple.path)
        #expect(old.status == 404)
        let fresh = try await HTTP.get(server.base + String(url[range.lowerBound...]))
        #expect(fresh.status == 200 && fresh.text.contains("intensive-b0001-day1"))
        let unknown = try await HTTP.get(server.base + "/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics")
        let malformed = try await HTTP.get(server.base + "/feeds/nope.ics")
        #expect(unknown.status == 404 && malformed.status == 404)
        #expect(unknown.body == revoked.body && malformed.body == revoked.body, "revoked, unknown and malformed tokens must look alike")
        let listed = try box.json(["feeds", "list"]) as? [[String: Any]]
        #expect(listed?.first { $0["id"] as? String == staff.id }?["active"] as? Bool == false)
        #expect(try box.run(["feeds", "rotate", staff.id]).code == 1, "a revoked feed cannot be rotated back to life")
        let log = server.stop().log
        #expect(!log.contains(String(staff.path.dropFirst(7).prefix(20))), "a feed token reached the log")
    }

    /// No header value stops the server: dates out of any range, negative years, garbage and the future in
    /// `If-Modified-Since` are ignored, on GET and HEAD.
    @Test func hostileDatesInConditionalHeadersAreIgnored() async throws {
        let box = try Self.practice()
        defer { box.cleanup() }
        let feed = try box.feed(["staff"])
        let server = try ServerProcess(box)
        defer { server.stop() }
        let first = try await HTTP.get(server.base + feed.path)
        let hostile = [
            "Tue, 01 Dec 99999999999 00:00:00 GMT", "Tue, 01 Dec -9223372036854775808 00:00:00 GMT", "Tue, 01 Dec 9223372036854775807 00:00:00 GMT",
            "Tue, 01 Dec 2026 99:99:99 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Mon, 01 Jan 0000 00:00:00 GMT",
            "yesterday", "", String(repeating: "9", count: 4000),
        ]
        for value in hostile {
            for method in ["GET", "HEAD"] {
                let r = try await HTTP.request(method, server.base + feed.path, headers: ["If-Modified-Since": value])
                #expect(r.status == 200, "\(method) If-Modified-Since: \(value.prefix(40)) answered \(r.status)")
            }
        }
        #expect(try await HTTP.get(server.base + "/health").status == 200)
        #expect(try await HTTP.get(server.base + feed.path).body == first.body)
        #expect(server.process.isRunning, "a header value stopped the server: \(server.log.suffix(400))")
    }

    /// With a clock that does not move (as `$RETREAT_NOW` fixes it), Last-Modified stays put across a change:
    /// a client that sends it back as If-Modified-Since still gets the new calendar.
    @Test func aChangeWithinTheSameSecondIsNotAnswered304() async throws {
        let box = try Self.practice()
        defer { box.cleanup() }
        let feed = try box.feed(["staff"])
        let server = try ServerProcess(box)
        defer { server.stop() }
        let before = try await HTTP.get(server.base + feed.path)
        let modified = try #require(before.header("Last-Modified"))
        #expect(try box.run(["reschedule", "B0001", "--start", "2027-01-25"]).code == 0)
        let after = try await HTTP.get(server.base + feed.path, headers: ["If-Modified-Since": modified])
        #expect(after.header("Last-Modified") == modified, "the fixed clock keeps Last-Modified where it was")
        #expect(after.status == 200, "changed content answered \(after.status)")
        #expect(after.text.contains("DTSTART;VALUE=DATE:20270125"))
    }

    /// A fresh store, a counselor with nothing booked: every feed kind still passes the validator (an empty
    /// VCALENDAR is refused by clients, so an empty feed carries a VFREEBUSY of its window with nothing busy).
    @Test func everyFeedKindIsValidWhenEmpty() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let feeds = [
            ("staff", try box.feed(["staff"])), ("freebusy", try box.feed(["freebusy"])), ("counselor", try box.feed(["counselor", "practice"])),
        ]
        let server = try ServerProcess(box)
        defer { server.stop() }
        for (kind, feed) in feeds {
            let r = try await HTTP.get(server.base + feed.path)
            #expect(r.status == 200, "\(kind): \(r.status)")
            #expect(!r.text.contains("BEGIN:VEVENT") && r.text.contains("BEGIN:VFREEBUSY"), "\(kind)")
            #expect(!r.text.contains("FREEBUSY;") && !r.text.contains("FREEBUSY:"), "\(kind): nothing is busy")
            let problems = try Validator.problems(r.text, name: "empty-\(kind).ics", in: box.dir)
            #expect(problems == nil, "empty \(kind).ics fails ics-validate.py:\n\(problems ?? "")")
        }
        // A couple's feed always has the couple's days; once something is booked the staff feed has events only.
        #expect(try box.run(["book", "--couple", "Only Couple", "--start", "2027-01-11"]).code == 0)
        let couple = try box.feed(["couple", "B0001"])
        for (kind, path) in [("couple", couple.path), ("staff", feeds[0].1.path)] {
            let r = try await HTTP.get(server.base + path)
            #expect(r.status == 200 && r.text.contains("BEGIN:VEVENT") && !r.text.contains("BEGIN:VFREEBUSY"), "\(kind)")
            let problems = try Validator.problems(r.text, name: "one-\(kind).ics", in: box.dir)
            #expect(problems == nil, "\(kind).ics fails ics-validate.py:\n\(problems ?? "")")
        }
    }

    /// The text of the VEVENT with `uid` (unfolded lines kept as they are).
    static func event(_ uid: String, in text: String) -> String? {
        text.components(separatedBy: "BEGIN:VEVENT").first { $0.contains("UID:\(uid)\r\n") }
    }
}
