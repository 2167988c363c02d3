import Foundation
import RetreatScheduling
import RetreatStore

extension RetreatService {
    /// Records a payment received (or, with `refund`, money paid back) against a booking.
    /// - Parameters:
    ///   - amountCents: a positive amount up to `Money.maximumCents`.
    ///   - day: the day it was received (default: today).
    /// - Throws: `.badInput` for an amount of zero or out of range, or a refund larger than what was paid;
    ///   `.conflict` for a lapsed hold.
    public func pay(id: String, amountCents: Int, on day: CalendarDay? = nil, note: String? = nil, refund: Bool = false) throws(AppError) -> BookingOutcome {
        guard amountCents != 0 else { throw AppError(.badInput, "--amount must not be zero") }
        try Input.amount(amountCents, option: "--amount")
        let note = try Input.note(note, option: "--note")
        return try write { ctx in
            var b = try ctx.base.booking(id)
            if b.status == .expired && !refund {
                throw AppError(.conflict, "booking \(b.id)'s hold expired; book again before recording a payment")
            }
            if b.status == .cancelled && !refund {
                throw AppError(.invalid, "booking \(b.id) is cancelled; record money paid back with --refund, or book again")
            }
            if let day, day > ctx.today {
                throw AppError(.badInput, "--date \(day) is in the future; record a payment on the day it was received")
            }
            if refund && amountCents > b.paidCents {
                throw AppError(
                    .badInput,
                    "--amount \(Money.format(cents: amountCents, currency: ctx.settings.currency)) is more than the \(Money.format(cents: b.paidCents, currency: ctx.settings.currency)) paid on \(b.id)"
                )
            }
            let signed = refund ? -amountCents : amountCents
            if b.paidCents + signed > Money.maximumCents {
                throw AppError(
                    .badInput, "--amount would bring \(b.id)'s payments over \(Money.format(cents: Money.maximumCents, currency: ctx.settings.currency))")
            }
            let payment = try ctx.tx.insert(Payment(amountCents: signed, date: day ?? ctx.today, note: note), bookingID: b.id)
            b.payments.append(payment)
            try ctx.audit(
                refund ? "refund" : "payment", "booking", b.id,
                ["payment": String(payment.id ?? 0), "amountCents": String(signed), "date": payment.date.description])
            return BookingOutcome(booking: b, replayed: false, offers: [], display: PracticeDisplay(ctx.settings))
        }
    }

    /// Voids a payment recorded by mistake: it stays on record, marked void, and no longer counts.
    /// - Throws: `.notFound` when the booking has no such payment, `.invalid` when it is already void.
    public func voidPayment(id: String, paymentID: Int64) throws(AppError) -> BookingOutcome {
        try write { ctx in
            var b = try ctx.base.booking(id)
            guard let index = b.payments.firstIndex(where: { $0.id == paymentID }) else {
                throw AppError(.notFound, "booking \(b.id) has no payment \(paymentID); `retreat show \(b.id)` lists its payments")
            }
            guard !b.payments[index].voided else { throw AppError(.invalid, "payment \(paymentID) of \(b.id) is already void") }
            if b.paidCents - b.payments[index].amountCents < 0 {
                throw AppError(.invalid, "voiding payment \(paymentID) would leave \(b.id) with less than nothing paid; void the refund first")
            }
            _ = try ctx.tx.voidPayment(id: paymentID, bookingID: b.id)
            b.payments[index].voided = true
            try ctx.audit(
                "payment-void", "booking", b.id, before: ["payment": String(paymentID), "amountCents": String(b.payments[index].amountCents)],
                after: ["payment": String(paymentID), "voided": "true"])
            return BookingOutcome(booking: b, replayed: false, offers: [], display: PracticeDisplay(ctx.settings))
        }
    }
}
