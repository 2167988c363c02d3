import Foundation
import Testing

@testable import RetreatScheduling

/// Every scalar the rules forbid, from the brief's list: C0, DEL, C1, line/paragraph separators, bidi controls.
/// (Passed to parameterised tests as numbers, so the test log never prints a raw control character.)
let forbiddenCodePoints: [UInt32] =
    Array(0x00...0x1F) + [0x7F] + Array(0x80...0x9F) + [0x2028, 0x2029] + Array(0x202A...0x202E)
    + Array(0x2066...0x2069)
let forbiddenScalars: [Unicode.Scalar] = forbiddenCodePoints.compactMap(Unicode.Scalar.init)

@Suite struct PlainNameTests {
    @Test func acceptsOrdinaryNamesInAnyScript() throws {
        let names = [
            "Jo & Max", "Zoë Müller", "José-María O'Brien", "李 & 王", "Ольга и Пётр", "سارة و علي", "Jo 💙 Max",
            "BEGIN:VEVENT", "Dr. A; B, C \\ D", "x@y.org", "=?UTF-8?B?SGk=?=",
        ]
        for name in names {
            #expect(try PlainName(name, field: "--couple").value == name)
        }
    }

    @Test(arguments: forbiddenCodePoints)
    func refusesEveryControlCharacterAnywhere(code: UInt32) {
        let scalar = Unicode.Scalar(code) ?? "?"
        for text in ["\(scalar)Jo", "Jo\(scalar)Max", "Jo & Max\(scalar)"] {
            do {
                _ = try PlainName(text, field: "--couple")
                Issue.record("accepted U+\(String(scalar.value, radix: 16))")
            } catch {
                #expect(error.code == .forbiddenCharacter)
                #expect(error.message.hasPrefix("--couple: contains "))
                #expect(error.message.contains("U+" + TextRules.hex(scalar.value, width: 4)))
                #expect(TextRules.firstForbidden(in: error.message) == nil, "the message itself is printable")
                #expect(!error.message.contains("Max"), "the message does not repeat the value")
            }
        }
    }

    @Test func injectionAttemptsAreRefusedWithThePlaceNamed() {
        let cases: [(String, String)] = [
            ("Jo\r\nBEGIN:VEVENT", "a carriage return (U+000D) at character 3"),
            ("Jo\nEND:VCALENDAR", "a line break (U+000A) at character 3"),
            ("Jo\u{1B}[2J", "an escape character (U+001B) at character 3"),
            ("Jo \u{202E}xaM", "a bidirectional override (U+202E) at character 4"),
            ("Jo\u{2066}Max\u{2069}", "a bidirectional isolate (U+2066) at character 3"),
            ("Jo\tMax", "a tab (U+0009)"),
            ("Jo\u{85}Max", "a Unicode line separator (U+0085)"),
        ]
        for (text, words) in cases {
            #expect(throws: InputError.self) { try PlainName(text, field: "--couple") }
            do {
                _ = try PlainName(text, field: "--couple")
            } catch {
                #expect(error.message.contains(words), "\(error.message)")
            }
        }
    }

    @Test func trimsAndRefusesEmpty() throws {
        #expect(try PlainName("  Jo & Max \u{3000}", field: "x").value == "Jo & Max")
        for blank in ["", "   ", "\u{A0}\u{3000}"] {
            #expect(throws: InputError(.empty, field: "--couple", "is empty")) { try PlainName(blank, field: "--couple") }
        }
    }

    @Test func capsLengthInScalars() throws {
        let ok = String(repeating: "é", count: PlainName.defaultMaxLength)
        #expect(try PlainName(ok, field: "x").value.unicodeScalars.count == 200)
        let long = ok + "x"
        #expect(throws: InputError(.tooLong, field: "--couple", "is 201 characters long; at most 200 are allowed")) {
            try PlainName(long, field: "--couple")
        }
        let huge = String(repeating: "a", count: 1_000_000)
        #expect(throws: InputError.self) { try PlainName(huge, field: "--couple") }
        #expect(try PlainName("abcd", field: "x", maxLength: 4).value == "abcd")
        #expect(throws: InputError.self) { try PlainName("abcde", field: "x", maxLength: 4) }
    }

    @Test func storesNFC() throws {
        let decomposed = "Zoe\u{308}"
        let name = try PlainName(decomposed, field: "x")
        #expect(Array(name.value.unicodeScalars) == Array("Zo\u{EB}".unicodeScalars))
    }

    @Test func decodingValidates() throws {
        struct Row: Codable { var couple: PlainName }
        let good = try JSONDecoder().decode(Row.self, from: Data(#"{"couple":"Jo"}"#.utf8))
        #expect(good.couple.value == "Jo")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Row.self, from: Data(#"{"couple":"Jo\r\nX"}"#.utf8)) }
        #expect(String(decoding: try JSONEncoder().encode(good), as: UTF8.self) == #"{"couple":"Jo"}"#)
    }
}

@Suite struct NoteTests {
    @Test func allowsPlainNewlinesOnly() throws {
        let note = try Note("\n  First line\nsecond\n\nthird  \n", field: "--note")
        #expect(note.value == "First line\nsecond\n\nthird")
        #expect(note.lines.count == 4)
        for scalar in forbiddenScalars where scalar != "\n" {
            #expect(throws: InputError.self) { try Note("a\nb\(scalar)c", field: "--note") }
        }
        do {
            _ = try Note("one\r\ntwo", field: "--note")
            Issue.record("CRLF accepted")
        } catch {
            #expect(error.message == "--note: contains a carriage return (U+000D) at character 4; use plain line breaks (\\n)")
        }
    }

    @Test func capsAndEmpty() {
        #expect(throws: InputError.self) { try Note("\n\n  \n", field: "--note") }
        #expect(throws: InputError.self) { try Note(String(repeating: "x\n", count: 2001), field: "--note") }
    }
}

@Suite struct TerminalSafeTests {
    @Test func escapesWhatWouldDriveTheTerminal() {
        #expect("\u{1B}[31mred\u{1B}[0m".terminalSafe == "\\e[31mred\\e[0m")
        #expect("a\r\nb\tc\u{0}".terminalSafe == "a\\r\\nb\\tc\\0")
        #expect("\u{7}\u{7F}\u{9B}".terminalSafe == "\\u{07}\\u{7F}\\u{9B}")
        #expect("Jo \u{202E}xaM".terminalSafe == "Jo \\u{202E}xaM")
        #expect(TextRules.terminalSafe("a\nb\rc", keepingNewlines: true) == "a\nb\\rc")
    }

    @Test func leavesPrintableTextAlone() {
        for text in ["Jo & Max", "Zoë", "李", "back\\slash", "💙", ""] {
            #expect(text.terminalSafe == text)
        }
    }

    @Test(arguments: forbiddenCodePoints)
    func outputNeverHoldsAForbiddenScalar(code: UInt32) {
        let scalar = Unicode.Scalar(code) ?? "?"
        let text = "a\(scalar)b\(scalar)"
        let safe = text.terminalSafe
        #expect(TextRules.firstForbidden(in: safe) == nil)
        #expect(safe.hasPrefix("a\\") && safe.contains("b\\"))
    }

    @Test func randomStringsComeOutPrintable() {
        var generator = SeededGenerator(seed: 12)
        for _ in 0..<2000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int(generator.next() % 40) {
                let pick = generator.next() % 4
                let value: UInt32 =
                    pick == 0
                    ? UInt32(generator.next() % 0x20)
                    : pick == 1
                        ? UInt32(0x7F + generator.next() % 0x22)
                        : pick == 2 ? UInt32(0x2020 + generator.next() % 0x50) : UInt32(0x20 + generator.next() % 0x5F)
                if let s = Unicode.Scalar(value) { scalars.append(s) }
            }
            let text = String(scalars)
            let safe = text.terminalSafe
            #expect(TextRules.firstForbidden(in: safe) == nil)
            // Validation and the sanitizer agree: text that a PlainName accepts prints unchanged.
            if let name = try? PlainName(text, field: "x") { #expect(name.value.terminalSafe == name.value) }
        }
    }
}
