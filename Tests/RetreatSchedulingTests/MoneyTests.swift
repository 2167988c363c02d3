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
        settings.refund(paidCents: paid, cancelledOn: start.adding(days: -daysBefore), start: start)
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
    #expect(shuffled.refund(paidCents: 1000, cancelledOn: start.adding(days: -75), start: start) == (100, 1000))
    #expect(shuffled.refund(paidCents: 1000, cancelledOn: start.adding(days: -10), start: start) == (10, 100))
}

@Test func holdLapse() {
    let settings = PracticeSettings()  // 48 hours
    let created = utc("2027-03-01", 15, 30)
    let expiry = settings.holdExpiry(createdAt: created)
    #expect(expiry == utc("2027-03-03", 15, 30))
    let deposit = Deposit(amountCents: 112_500, due: d("2027-03-03"))
    #expect(!holdHasLapsed(createdAt: created, paidCents: 0, deposit: deposit, settings: settings, now: expiry.addingTimeInterval(-1)))
    #expect(holdHasLapsed(createdAt: created, paidCents: 0, deposit: deposit, settings: settings, now: expiry))
    #expect(holdHasLapsed(createdAt: created, paidCents: 112_499, deposit: deposit, settings: settings, now: expiry.addingTimeInterval(86_400)))
    #expect(!holdHasLapsed(createdAt: created, paidCents: 112_500, deposit: deposit, settings: settings, now: expiry.addingTimeInterval(86_400)))
    #expect(!holdHasLapsed(createdAt: created, paidCents: 450_000, deposit: deposit, settings: settings, now: expiry))
    let free = Deposit(amountCents: 0, due: d("2027-03-03"))
    #expect(!holdHasLapsed(createdAt: created, paidCents: 0, deposit: free, settings: settings, now: expiry))
}

@Test func paymentCodable() throws {
    let payment = Payment(amountCents: 112_500, date: d("2027-03-02"), note: "deposit")
    let data = try JSONEncoder().encode(payment)
    #expect(try JSONDecoder().decode(Payment.self, from: data) == payment)
    #expect(String(decoding: data, as: UTF8.self).contains("\"2027-03-02\""))
}
