import Crypto
import Foundation

/// Cross-site request forgery protection for the request form: a double-submit token bound to a cookie.
///
/// The page sets an HttpOnly, SameSite=Strict cookie holding a random nonce and puts
/// `HMAC-SHA256(key, nonce.issued).issued` in the form. A POST is accepted only when the cookie is present,
/// the form's token matches it under the server's key, and it is less than `lifetime` old. The key is random
/// per process, so a restart asks open forms to be reloaded.
struct CSRF: Sendable {
    /// Name of the cookie.
    static let cookieName = "retreat_form"
    /// How long a form stays valid.
    let lifetime: TimeInterval = 2 * 3600
    private let key: [UInt8]

    /// A protector with a new random key (`key` for tests).
    init(key: [UInt8]? = nil) {
        self.key = key ?? SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// A new random nonce for the cookie (22 base64url characters).
    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        for _ in 0..<2 {
            let word: UInt64 = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return base64url(bytes)
    }

    /// Whether `text` could be a nonce this server made.
    static func isNonce(_ text: String) -> Bool {
        text.utf8.count == 22 && text.utf8.allSatisfy { c in (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95 }
    }

    /// The form token for `nonce`, issued at `now`.
    func token(for nonce: String, at now: Date) -> String {
        let issued = String(Int(now.timeIntervalSince1970))
        return "\(mac(nonce, issued)).\(issued)"
    }

    /// Whether the form's `token` belongs to the cookie's `nonce` and is still fresh at `now`.
    func verify(token: String, nonce: String, at now: Date) -> Bool {
        guard Self.isNonce(nonce) else { return false }
        let parts = token.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let issued = Int(parts[1]) else { return false }
        let age = now.timeIntervalSince1970 - TimeInterval(issued)
        guard age >= -60, age <= lifetime else { return false }
        let expected = Array(mac(nonce, String(parts[1])).utf8)
        let given = Array(parts[0].utf8)
        guard expected.count == given.count else { return false }
        // Constant time: every byte is compared.
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0
    }

    private func mac(_ nonce: String, _ issued: String) -> String {
        Self.base64url(Array(HMAC<SHA256>.authenticationCode(for: Data("\(nonce).\(issued)".utf8), using: SymmetricKey(data: key))))
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
