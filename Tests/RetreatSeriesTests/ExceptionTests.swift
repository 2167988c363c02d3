import Foundation
import RetreatScheduling
import Testing

@Suite struct ExceptionTests {
    let base: CounselingSeries

    init() throws {
        base = try series("s1", spec(start: "2027-03-03T12:00", end: .count(6), partners: [london]))
    }

    @Test func movedOccurrenceKeepsItsRecurrenceID() throws {
        let moved = try base.moving(day("2027-03-10"), to: at("2027-03-11T14:00"), lengthMinutes: 60)
        #expect(moved.sequence == 1)
        let session = try #require(moved.occurrences().first { $0.originalDate == day("2027-03-10") })
        #expect(session.isMoved)
        #expect(session.localStart == at("2027-03-11T14:00"))
        #expect(session.originalStart == at("2027-03-10T12:00"))
        #expect(session.start == utc("2027-03-11T19:00:00Z"))  // EST
        #expect(session.end == utc("2027-03-11T20:00:00Z"))
        #expect(session.lengthMinutes == 60)
        // London sees 19:00, which is the usual 5-hour gap: a move is not a clock shift.
        #expect(session.partners[0].localStart == at("2027-03-11T19:00"))
        #expect(session.partnerTimeShifted[london] == false)
        #expect(moved.occurrences().count == 6)
    }

    @Test func movedIntoTheMismatchWeeksIsFlagged() throws {
        let moved = try base.moving(day("2027-03-10"), to: at("2027-03-18T14:00"))
        let session = try #require(moved.occurrences().first { $0.originalDate == day("2027-03-10") })
        #expect(session.lengthMinutes == 50)
        #expect(session.partners[0].note == "Partner in Europe/London: 18:00 instead of 19:00 (the clocks change on different dates)")
    }

    @Test func movesReorderByStartInstant() throws {
        let moved = try base.moving(day("2027-03-17"), to: at("2027-03-09T15:00"))
        #expect(
            moved.occurrences().map(\.originalDate)
                == ["2027-03-03", "2027-03-17", "2027-03-10", "2027-03-24", "2027-03-31", "2027-04-07"].map(day))
    }

    @Test func movingBackToRuleTimeRemovesTheMove() throws {
        let moved = try base.moving(day("2027-03-10"), to: at("2027-03-11T14:00"))
        let back = try moved.moving(day("2027-03-10"), to: at("2027-03-10T12:00"))
        #expect(back.exceptions.isEmpty)
        #expect(back.sequence == 2)
        #expect(back.occurrences() == base.occurrences())
    }

    @Test func cancelledOccurrencesAreDroppedAndExported() throws {
        let cancelled = try base.cancelling(day("2027-03-24")).cancelling(day("2027-03-10"))
        #expect(cancelled.sequence == 2)
        #expect(cancelled.occurrences().map(\.originalDate) == ["2027-03-03", "2027-03-17", "2027-03-31", "2027-04-07"].map(day))
        #expect(cancelled.exceptions.cancelled == ["2027-03-10", "2027-03-24"].map(day))
        #expect(cancelled.exceptionDates.map(\.icsText) == ["20270310T120000", "20270324T120000"])
        // COUNT still counts the cancelled sessions, as RFC 5545 does.
        #expect(cancelled.rruleText == "FREQ=WEEKLY;COUNT=6")
        let restored = try cancelled.restoring(day("2027-03-10"))
        #expect(restored.occurrences().count == 5)
    }

    @Test func movingACancelledSessionRestoresIt() throws {
        let changed = try base.cancelling(day("2027-03-10")).moving(day("2027-03-10"), to: at("2027-03-12T09:00"))
        #expect(changed.exceptions.cancelled.isEmpty)
        #expect(changed.occurrences().contains { $0.originalDate == day("2027-03-10") && $0.isMoved })
        let cancelledAgain = try changed.cancelling(day("2027-03-10"))
        #expect(cancelledAgain.exceptions.moved.isEmpty)
    }

    @Test func endingFromADateTruncates() throws {
        let ended = try base.ending(from: day("2027-03-24"))
        #expect(ended.occurrences().map(\.originalDate) == ["2027-03-03", "2027-03-10", "2027-03-17"].map(day))
        // Last kept day 2027-03-23 ends 23:59:59 EDT = 2027-03-24 03:59:59 UTC; COUNT gives way to UNTIL.
        #expect(ended.rruleText == "FREQ=WEEKLY;UNTIL=20270324T035959Z")
        // Ending after the natural end changes nothing in the rule.
        #expect(try base.ending(from: day("2027-06-01")).rruleText == "FREQ=WEEKLY;COUNT=6")
        #expect(try ended.ending(from: nil).occurrences().count == 6)
    }

    @Test func endingCancelsSessionsMovedPastTheEndAndDropsLaterChanges() throws {
        let changed =
            try base
            .moving(day("2027-03-10"), to: at("2027-03-25T10:00"))
            .cancelling(day("2027-03-31"))
            .moving(day("2027-03-17"), to: at("2027-03-16T10:00"))
        let ended = try changed.ending(from: day("2027-03-20"))
        #expect(ended.exceptions.cancelled == [day("2027-03-10")])
        #expect(ended.exceptions.moved.map(\.originalDate) == [day("2027-03-17")])
        #expect(ended.occurrences().map(\.localStart) == [at("2027-03-03T12:00"), at("2027-03-16T10:00")])
        #expect(ended.occurrences().allSatisfy { $0.localStart.day < day("2027-03-20") })
    }

    @Test func badChangesAreRefusedWithSentences() throws {
        #expect(
            message { _ = try base.moving(day("2027-03-11"), to: at("2027-03-12T10:00")) }
                == "the series has no session on 2027-03-11; give the original date of one of its sessions.")
        #expect(
            message { _ = try base.cancelling(day("2027-05-05")) }
                == "the series has no session on 2027-05-05; give the original date of one of its sessions.")
        #expect(
            message { _ = try base.moving(day("2027-03-10"), to: at("2027-03-14T02:30")) }
                == "2027-03-14 02:30 does not exist in America/New_York (the clocks jump forward over it); choose another time.")
        #expect(
            message { _ = try base.moving(day("2027-03-10"), to: at("2027-03-11T10:00"), lengthMinutes: 5) }
                == "the session length is 5 minutes; choose a length from 10 to 240 minutes.")
        #expect(
            message { _ = try base.ending(from: day("2027-03-03")) }
                == "ending the series from 2027-03-03 would remove every session (the first is on 2027-03-03); delete the series instead.")
        let ended = try base.ending(from: day("2027-03-20"))
        #expect(
            message { _ = try ended.cancelling(day("2027-03-24")) }
                == "2027-03-24 is on or after 2027-03-20, from which the series has ended; choose an earlier date or lift the series end first.")
        #expect(
            message { _ = try ended.moving(day("2027-03-10"), to: at("2027-03-22T10:00")) }
                == "2027-03-22 is on or after 2027-03-20, from which the series has ended; choose an earlier date or lift the series end first.")
        let twice = SeriesExceptions(
            moved: [MovedOccurrence(originalDate: day("2027-03-10"), newStart: at("2027-03-11T10:00"))],
            cancelled: [day("2027-03-10")])
        #expect(
            message { _ = try CounselingSeries(id: "s1", spec: base.spec, exceptions: twice) }
                == "the session of 2027-03-10 is changed more than once; keep a single move or cancellation for it.")
        #expect(message { _ = try CounselingSeries(id: " ", spec: base.spec) } == "the series id is blank; give it a non-blank value.")
        #expect(
            message { _ = try CounselingSeries(id: "s1", spec: base.spec, sequence: -1) }
                == "the sequence number is -1; it must be 0 or more.")
    }

    @Test func exceptionsAreStoredSorted() throws {
        let unsorted = SeriesExceptions(
            moved: [
                MovedOccurrence(originalDate: day("2027-03-24"), newStart: at("2027-03-25T10:00")),
                MovedOccurrence(originalDate: day("2027-03-10"), newStart: at("2027-03-11T10:00")),
            ],
            cancelled: [day("2027-04-07"), day("2027-03-17")])
        let s = try CounselingSeries(id: "s1", spec: base.spec, sequence: 3, exceptions: unsorted)
        #expect(s.exceptions.moved.map(\.originalDate) == ["2027-03-10", "2027-03-24"].map(day))
        #expect(s.exceptions.cancelled == ["2027-03-17", "2027-04-07"].map(day))
    }
}
