/// Maps Windows time zone names to IANA names (CLDR windowsZones, territory 001).
enum WindowsZones {
    static func iana(for name: String) -> String? {
        byWindowsID[name]
    }

    static let byWindowsID: [String: String] = [
        "Eastern Standard Time": "America/New_York",
        "Pacific Standard Time": "America/Los_Angeles",
        "GMT Standard Time": "Europe/London",
    ]
}
