import Foundation
import RetreatScheduling
import Testing

@Test func moneyFormatting() {
    #expect(Money.format(cents: 450_000, currency: "USD") == "4,500.00 USD")
    #expect(Money.format(cents: 0, currency: "USD") == "0.00 USD")
    #expect(Money.format(cents: 5, currency: "USD") == "0.05 USD")
    #expect(Money.format(cents: 99_999, currency: "EUR") == "999.99 EUR")
    #expect(Money.format(cents: 100_000, currency: "USD") == "1,000.00 USD")
    #expect(Money.format(cents: 123_456_789, currency: "USD") == "1,234,567.89 USD")
    #expect(Money.format(cents: -1250, currency: "USD") == "-12.50 USD")
    #expect(Money(cents: 112_500, currency: "USD").description == "1,125.00 USD")
    #expect(Money.format(cents: Int.min, currency: "USD").hasPrefix("-92,233,720,368,547,758.08"))
}

@Test func depositAmountAndDueDate() {
    let settings = PracticeSettings()  // 25%, due 2 days after booking
    let normal = settings.deposit(priceCents: 450_000, bookedOn: d("2027-03-01"), start: d("2027-04-01"))
    #expect(normal == Deposit(amountCents: 112_500, due: d("2027-03-03")))
    // Due no later than the day before the start...
    #expect(settings.deposit(priceCents: 450_000, bookedOn: d("2027-03-01"), start: d("2027-03-03")).due == d("2027-03-02"))
    #expect(settings.deposit(priceCents: 450_000, bookedOn: d("2027-03-01"), start: d("2027-03-04")).due == d("2027-03-03"))
    // ...but never before the booking.
    #expect(settings.deposit(priceCents: 450_000, bookedOn: d("2027-03-01"), start: d("2027-03-01")).due == d("2027-03-01"))
    #expect(settings.deposit(priceCents: 450_000, bookedOn: d("2027-03-01"), start: d("2027-03-02")).due == d("2027-03-01"))
    // Rounded half up to the cent.
    #expect(settings.deposit(priceCents: 2, bookedOn: d("2027-03-01"), start: d("2027-04-01")).amountCents == 1)  // 0.5
    #expect(settings.deposit(priceCents: 1, bookedOn: d("2027-03-01"), start: d("2027-04-01")).amountCents == 0)  // 0.25
    #expect(settings.deposit(priceCents: 10_001, bookedOn: d("2027-03-01"), start: d("2027-04-01")).amountCents == 2500)
    var none = settings
    none.depositPercent = 0
    #expect(none.deposit(priceCents: 450_000, bookedOn: d("2027-03-01"), start: d("2027-04-01")).amountCents == 0)
}

@Test func refundTierEdges() {
    let settings = PracticeSettings()  // 60+ days: 100%, 30+ days: 50%, else 0%
    let start = d("2027-06-30")
    func refund(daysBefore: Int, paid: Int = 112_500) -> (percent: Int, amountCents: Int) {
        settings.refund(paidCents: paid, priceCents: 450_000, cancelledOn: start.adding(days: -daysBefore), start: start)
    }
    #expect(refund(daysBefore: 61) == (100, 112_500))
    #expect(refund(daysBefore: 60) == (100, 112_500))
    #expect(refund(daysBefore: 59) == (50, 56_250))
    #expect(refund(daysBefore: 30) == (50, 56_250))
    #expect(refund(daysBefore: 29) == (0, 0))
    #expect(refund(daysBefore: 0) == (0, 0))
    #expect(refund(daysBefore: -3) == (0, 0))
    #expect(refund(daysBefore: 45, paid: 1) == (50, 1))
    #expect(refund(daysBefore: 45, paid: 0) == (50, 0))
    // The best tier wins regardless of order.
    var shuffled = settings
    shuffled.refundTiers = [
        RefundTier(minDaysBefore: 30, percent: 50), RefundTier(minDaysBefore: 10, percent: 10), RefundTier(minDaysBefore: 60, percent: 100),
    ]
    #expect(shuffled.refund(paidCents: 1000, priceCents: 450_000, cancelledOn: start.adding(days: -75), start: start) == (100, 1000))
    #expect(shuffled.refund(paidCents: 1000, priceCents: 450_000, cancelledOn: start.adding(days: -10), start: start) == (10, 100))
}

@Test func overpaymentIsAlwaysReturned() {
    let settings = PracticeSettings()
    let start = d("2027-06-30")
    // 50% tier on the 1,000.00 price, plus the 300.00 paid beyond it.
    #expect(settings.refund(paidCents: 130_000, priceCents: 100_000, cancelledOn: start.adding(days: -45), start: start) == (50, 80_000))
    #expect(settings.refund(paidCents: 130_000, priceCents: 100_000, cancelledOn: start.adding(days: -1), start: start) == (0, 30_000))
}

@Test func holdLapse() {
    let settings = PracticeSettings()  // 48 hours
    let created = utc("2027-03-01", 15, 30)
    let terms = settings.terms(priceCents: 450_000, createdAt: created, start: d("2027-04-01"), hold: true)
    let expiry = utc("2027-03-03", 15, 30)
    #expect(terms.holdExpiresAt == expiry)
    // The deposit falls due on the practice-local day the hold lapses: never a day before or after.
    #expect(terms.deposit.due == d("2027-03-03"))
    func hold(paid: Int, deposit: Int = 112_500) -> Booking {
        Booking(
            id: "B0001", couple: "x", resource: "practice", start: d("2027-04-01"), intensiveDays: 3, turnoverDays: 1, status: .held, priceCents: 450_000,
            deposit: Deposit(amountCents: deposit, due: d("2027-03-03")), payments: paid == 0 ? [] : [Payment(amountCents: paid, date: d("2027-03-02"))],
            createdAt: created, holdExpiresAt: expiry)
    }
    #expect(!HoldPolicy.hasLapsed(hold(paid: 0), at: expiry.addingTimeInterval(-1)))
    #expect(HoldPolicy.hasLapsed(hold(paid: 0), at: expiry))
    #expect(HoldPolicy.hasLapsed(hold(paid: 112_499), at: expiry.addingTimeInterval(86_400)))
    #expect(!HoldPolicy.hasLapsed(hold(paid: 112_500), at: expiry.addingTimeInterval(86_400)))
    #expect(!HoldPolicy.hasLapsed(hold(paid: 450_000), at: expiry))
    // A hold that owes no deposit still lapses at its expiry unless staff confirm it (as the store does).
    #expect(HoldPolicy.hasLapsed(hold(paid: 0, deposit: 0), at: expiry))
    // A voided payment does not keep a hold.
    var voided = hold(paid: 112_500)
    voided.payments[0].voided = true
    #expect(HoldPolicy.hasLapsed(voided, at: expiry))
    // A confirmed booking never lapses.
    var confirmed = hold(paid: 0)
    confirmed.status = .confirmed
    #expect(!HoldPolicy.hasLapsed(confirmed, at: expiry.addingTimeInterval(86_400)))
    // A hold made less than its expiry before the start lapses when the start day begins.
    let late = settings.terms(priceCents: 450_000, createdAt: created, start: d("2027-03-02"), hold: true)
    #expect(late.holdExpiresAt == d("2027-03-02").firstInstant(in: settings.timeZone))
}

@Test func paymentCodable() throws {
    let payment = Payment(amountCents: 112_500, date: d("2027-03-02"), note: "deposit")
    let data = try JSONEncoder().encode(payment)
    #expect(try JSONDecoder().decode(Payment.self, from: data) == payment)
    #expect(String(decoding: data, as: UTF8.self).contains("\"2027-03-02\""))
}
