import Foundation
import RetreatAgenda
import RetreatConfig
import RetreatScheduling
import Testing

@Suite("What the couple sees")
struct CoupleViewTests {
    @Test("the couple's view has dates, times and neutral titles only")
    func neutral() throws {
        let request = makeRequest([.affairRecovery, .intimacy, .communication])
        let agenda = try testPlanner.plan(request)
        let start = try #require(CalendarDay(iso: "2027-01-11"))
        let view = agenda.coupleView(startDate: start)
        #expect(view.days.map(\.date) == [start, start.adding(days: 1), start.adding(days: 2)])
        #expect(view.days.map(\.blocks.count) == agenda.days.map(\.blocks.count))
        let titles = Set(view.days.flatMap(\.blocks).map(\.title))
        #expect(titles.isSubset(of: Set(standardCatalog.modules.map(\.clientTitle))))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(view), as: UTF8.self).lowercased()
        let text = view.text.lowercased()
        for word in ["affair", "intimacy", "communication", "disclosure", "touch", "sex", "trust", "mirroring", "priorities", "module", "hurt"] {
            #expect(!json.contains(word), "the couple's view shows \(word)")
            #expect(!text.contains(word), "the couple's text shows \(word)")
        }
        for id in standardCatalog.ids where id.count > 5 {
            #expect(!json.contains(id), "module id \(id) in the couple's view")
        }
        #expect(text.hasPrefix("day 1, 2027-01-11\n  09:00-10:30  welcome session"))
        // The blocks carry the agenda's times, in order.
        let first = try #require(view.days.first?.blocks.first)
        #expect(first.start == agenda.days[0].blocks[0].start && first.end == agenda.days[0].blocks[0].end)
    }
}
