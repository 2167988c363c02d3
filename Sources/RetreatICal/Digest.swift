/// A 128-bit digest of text (two FNV-1a 64 lanes with different offsets): for change detection and stable
/// stand-in identifiers, never for secrets.
public enum ICalDigest {
    /// 32 lower-case hex digits.
    public static func hex128(_ text: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in text.utf8 {
            a ^= UInt64(byte)
            a = a &* 0x100_0000_01b3
            b ^= UInt64(byte)
            b = b &* 0x100_0000_01b3
            b ^= b >> 29
        }
        return hex(a) + hex(b)
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
