import RetreatAgenda
import RetreatConfig
import RetreatScheduling
import Testing

@Suite("Day template")
struct TemplateTests {
    @Test("the default follows the practice's day")
    func standard() throws {
        let template = DayTemplate.standard
        #expect(template.start == time("09:00"))
        #expect(template.end == time("17:00"))
        #expect(template.lunchWindowStart == time("12:00"))
        #expect(template.lunchWindowEnd == time("13:30"))
        #expect(template.lunchMinutes == 60)
        #expect(template.breakMinutes == 15)
        #expect(template.maxRunMinutes == 90)
        #expect(template.maxContactMinutes == 360)
        try template.validate()
    }

    @Test("a shorter day gets a smaller contact cap and a shifted lunch window")
    func shortDay() throws {
        var settings = PracticeSettings()
        settings.dayStart = time("10:00")
        settings.dayEnd = time("16:00")
        let template = DayTemplate(settings: settings)
        #expect(template.lunchWindowStart == time("12:15"))
        #expect(template.lunchWindowEnd == time("13:45"))
        #expect(template.maxContactMinutes == 255)
        try template.validate()
    }

    @Test("validation names the problem")
    func validation() {
        var template = DayTemplate.standard
        template.lunchWindowEnd = time("12:30")
        do {
            try template.validate()
            Issue.record("accepted a lunch window shorter than lunch")
        } catch {
            #expect(error.description.contains("shorter than lunchMinutes"))
        }
        template = .standard
        template.maxRunMinutes = 0
        #expect(throws: AgendaError.self) { try template.validate() }
    }
}
