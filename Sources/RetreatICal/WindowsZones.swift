// WindowsZones.swift
//
// Windows time zone IDs / display names (as Outlook and Exchange write them in
// iCalendar TZID) -> IANA time zone names.
//
// Data sources (every entry below was transcribed from one of these; nothing invented):
//  [1] unicode-org/cldr, common/supplemental/windowsZones.xml
//      (stored version at commit 062dc06d16b0884bc42b0b04e5408aec6b85eb20; has America/Mazatlan for
//      "Mountain Standard Time (Mexico)" and Asia/Bishkek for "Central Asia Standard Time").
//      -> byWindowsID: every mapZone with territory="001" (the IANA values are CLDR's, verbatim).
//      -> byDisplayName: the "(UTC..) .." comment that precedes each mapZone group.
//  [2] Output of PowerShell `Get-TimeZone -ListAvailable` (Id + DisplayName, en-US) embedded as comments
//      in a public PowerShell script (search index file id 42042779377; repository not identified).
//      Names that differ from [1], e.g. "(UTC-07:00) La Paz, Mazatlan", "(UTC+06:00) Nur-Sultan".
//  [3] KelvinTegelaar/CIPP, src/pages/email/resources/management/list-rooms/edit.jsx
//      (Windows Id + DisplayName table from an en-GB Windows build: "Co-ordinated Universal Time",
//      "Moscow, St Petersburg", "Hong Kong SAR", "(UTC+05:00) Astana", "(UTC+06:00) Bishkek", ...).
//  [4] unicode-org/cldr, common/supplemental/windowsZones.xml at commit
//      c5265d4ebc631467f02532311dacbf25f5f83fe1 (CLDR 1.8): legacy "(GMT..)" display names in comments.
//      Only names that still normalise to something new were kept; names for Windows IDs that are no
//      longer in [1] (Mexico Standard Time, Mexico Standard Time 2, Mid-Atlantic, Armenian, Kamchatka)
//      and names whose leading city now belongs to another Windows zone ("(GMT+02:00) Minsk",
//      "(GMT-11:00) Midway Island, Samoa", "(GMT+11:00) Magadan, Solomon Is., New Caledonia") were left out.
//  Cross-checked against regebro/tzlocal tzlocal/windows_tz.py (older CLDR snapshot).
//
// Display-name lookup normalisation: case-insensitive, surrounding whitespace and quotes dropped,
// runs of whitespace collapsed, "&amp;" -> "&", a leading "(GMT" is read as "(UTC", and
// "(UTC+00:00)" / "(UTC-00:00)" are read as "(UTC)". So the older "(GMT-05:00) Eastern Time (US & Canada)"
// and Windows 7's "(UTC) Dublin, Edinburgh, Lisbon, London" are found too.

import Foundation

/// Maps Windows time zone names, as Outlook/Exchange write them in TZID, to IANA names (CLDR windowsZones, territory 001).
enum WindowsZones {
    /// IANA name for a Windows zone ID ("Eastern Standard Time") or an Outlook display name
    /// ("(UTC-05:00) Eastern Time (US & Canada)"), case-insensitive, surrounding quotes/whitespace ignored;
    /// nil when unknown.
    static func iana(for name: String) -> String? {
        let key = normalizedKey(name)
        if key.isEmpty { return nil }
        if let iana = lowercasedWindowsIDs[key] { return iana }
        if let windowsID = lowercasedDisplayNames[displayKey(fromNormalized: key)] {
            return byWindowsID[windowsID]
        }
        return nil
    }

    /// Every CLDR windowsZones.xml `mapZone` with territory="001": Windows zone ID -> IANA name.
    static let byWindowsID: [String: String] = [
        "Dateline Standard Time": "Etc/GMT+12",
        "UTC-11": "Etc/GMT+11",
        "Aleutian Standard Time": "America/Adak",
        "Hawaiian Standard Time": "Pacific/Honolulu",
        "Marquesas Standard Time": "Pacific/Marquesas",
        "Alaskan Standard Time": "America/Anchorage",
        "UTC-09": "Etc/GMT+9",
        "Pacific Standard Time (Mexico)": "America/Tijuana",
        "UTC-08": "Etc/GMT+8",
        "Pacific Standard Time": "America/Los_Angeles",
        "US Mountain Standard Time": "America/Phoenix",
        "Mountain Standard Time (Mexico)": "America/Mazatlan",
        "Mountain Standard Time": "America/Denver",
        "Yukon Standard Time": "America/Whitehorse",
        "Central America Standard Time": "America/Guatemala",
        "Central Standard Time": "America/Chicago",
        "Easter Island Standard Time": "Pacific/Easter",
        "Central Standard Time (Mexico)": "America/Mexico_City",
        "Canada Central Standard Time": "America/Regina",
        "SA Pacific Standard Time": "America/Bogota",
        "Eastern Standard Time (Mexico)": "America/Cancun",
        "Eastern Standard Time": "America/New_York",
        "Haiti Standard Time": "America/Port-au-Prince",
        "Cuba Standard Time": "America/Havana",
        "US Eastern Standard Time": "America/Indianapolis",
        "Turks And Caicos Standard Time": "America/Grand_Turk",
        "Paraguay Standard Time": "America/Asuncion",
        "Atlantic Standard Time": "America/Halifax",
        "Venezuela Standard Time": "America/Caracas",
        "Central Brazilian Standard Time": "America/Cuiaba",
        "SA Western Standard Time": "America/La_Paz",
        "Pacific SA Standard Time": "America/Santiago",
        "Newfoundland Standard Time": "America/St_Johns",
        "Tocantins Standard Time": "America/Araguaina",
        "E. South America Standard Time": "America/Sao_Paulo",
        "SA Eastern Standard Time": "America/Cayenne",
        "Argentina Standard Time": "America/Buenos_Aires",
        "Greenland Standard Time": "America/Godthab",
        "Montevideo Standard Time": "America/Montevideo",
        "Magallanes Standard Time": "America/Punta_Arenas",
        "Saint Pierre Standard Time": "America/Miquelon",
        "Bahia Standard Time": "America/Bahia",
        "UTC-02": "Etc/GMT+2",
        "Azores Standard Time": "Atlantic/Azores",
        "Cape Verde Standard Time": "Atlantic/Cape_Verde",
        "UTC": "Etc/UTC",
        "GMT Standard Time": "Europe/London",
        "Greenwich Standard Time": "Atlantic/Reykjavik",
        "Sao Tome Standard Time": "Africa/Sao_Tome",
        "Morocco Standard Time": "Africa/Casablanca",
        "W. Europe Standard Time": "Europe/Berlin",
        "Central Europe Standard Time": "Europe/Budapest",
        "Romance Standard Time": "Europe/Paris",
        "Central European Standard Time": "Europe/Warsaw",
        "W. Central Africa Standard Time": "Africa/Lagos",
        "Jordan Standard Time": "Asia/Amman",
        "GTB Standard Time": "Europe/Bucharest",
        "Middle East Standard Time": "Asia/Beirut",
        "Egypt Standard Time": "Africa/Cairo",
        "E. Europe Standard Time": "Europe/Chisinau",
        "Syria Standard Time": "Asia/Damascus",
        "West Bank Standard Time": "Asia/Hebron",
        "South Africa Standard Time": "Africa/Johannesburg",
        "FLE Standard Time": "Europe/Kiev",
        "Israel Standard Time": "Asia/Jerusalem",
        "South Sudan Standard Time": "Africa/Juba",
        "Kaliningrad Standard Time": "Europe/Kaliningrad",
        "Sudan Standard Time": "Africa/Khartoum",
        "Libya Standard Time": "Africa/Tripoli",
        "Namibia Standard Time": "Africa/Windhoek",
        "Arabic Standard Time": "Asia/Baghdad",
        "Turkey Standard Time": "Europe/Istanbul",
        "Arab Standard Time": "Asia/Riyadh",
        "Belarus Standard Time": "Europe/Minsk",
        "Russian Standard Time": "Europe/Moscow",
        "E. Africa Standard Time": "Africa/Nairobi",
        "Iran Standard Time": "Asia/Tehran",
        "Arabian Standard Time": "Asia/Dubai",
        "Astrakhan Standard Time": "Europe/Astrakhan",
        "Azerbaijan Standard Time": "Asia/Baku",
        "Russia Time Zone 3": "Europe/Samara",
        "Mauritius Standard Time": "Indian/Mauritius",
        "Saratov Standard Time": "Europe/Saratov",
        "Georgian Standard Time": "Asia/Tbilisi",
        "Volgograd Standard Time": "Europe/Volgograd",
        "Caucasus Standard Time": "Asia/Yerevan",
        "Afghanistan Standard Time": "Asia/Kabul",
        "West Asia Standard Time": "Asia/Tashkent",
        "Ekaterinburg Standard Time": "Asia/Yekaterinburg",
        "Pakistan Standard Time": "Asia/Karachi",
        "Qyzylorda Standard Time": "Asia/Qyzylorda",
        "India Standard Time": "Asia/Calcutta",
        "Sri Lanka Standard Time": "Asia/Colombo",
        "Nepal Standard Time": "Asia/Katmandu",
        "Central Asia Standard Time": "Asia/Bishkek",
        "Bangladesh Standard Time": "Asia/Dhaka",
        "Omsk Standard Time": "Asia/Omsk",
        "Myanmar Standard Time": "Asia/Rangoon",
        "SE Asia Standard Time": "Asia/Bangkok",
        "Altai Standard Time": "Asia/Barnaul",
        "W. Mongolia Standard Time": "Asia/Hovd",
        "North Asia Standard Time": "Asia/Krasnoyarsk",
        "N. Central Asia Standard Time": "Asia/Novosibirsk",
        "Tomsk Standard Time": "Asia/Tomsk",
        "China Standard Time": "Asia/Shanghai",
        "North Asia East Standard Time": "Asia/Irkutsk",
        "Singapore Standard Time": "Asia/Singapore",
        "W. Australia Standard Time": "Australia/Perth",
        "Taipei Standard Time": "Asia/Taipei",
        "Ulaanbaatar Standard Time": "Asia/Ulaanbaatar",
        "Aus Central W. Standard Time": "Australia/Eucla",
        "Transbaikal Standard Time": "Asia/Chita",
        "Tokyo Standard Time": "Asia/Tokyo",
        "North Korea Standard Time": "Asia/Pyongyang",
        "Korea Standard Time": "Asia/Seoul",
        "Yakutsk Standard Time": "Asia/Yakutsk",
        "Cen. Australia Standard Time": "Australia/Adelaide",
        "AUS Central Standard Time": "Australia/Darwin",
        "E. Australia Standard Time": "Australia/Brisbane",
        "AUS Eastern Standard Time": "Australia/Sydney",
        "West Pacific Standard Time": "Pacific/Port_Moresby",
        "Tasmania Standard Time": "Australia/Hobart",
        "Vladivostok Standard Time": "Asia/Vladivostok",
        "Lord Howe Standard Time": "Australia/Lord_Howe",
        "Bougainville Standard Time": "Pacific/Bougainville",
        "Russia Time Zone 10": "Asia/Srednekolymsk",
        "Magadan Standard Time": "Asia/Magadan",
        "Norfolk Standard Time": "Pacific/Norfolk",
        "Sakhalin Standard Time": "Asia/Sakhalin",
        "Central Pacific Standard Time": "Pacific/Guadalcanal",
        "Russia Time Zone 11": "Asia/Kamchatka",
        "New Zealand Standard Time": "Pacific/Auckland",
        "UTC+12": "Etc/GMT-12",
        "Fiji Standard Time": "Pacific/Fiji",
        "Chatham Islands Standard Time": "Pacific/Chatham",
        "UTC+13": "Etc/GMT-13",
        "Tonga Standard Time": "Pacific/Tongatapu",
        "Samoa Standard Time": "Pacific/Apia",
        "Line Islands Standard Time": "Pacific/Kiritimati",
    ]

    /// Windows display names -> Windows zone ID (a key of `byWindowsID`).
    static let byDisplayName: [String: String] = [
        // CLDR windowsZones.xml comments (current en-US names)
        "(UTC-12:00) International Date Line West": "Dateline Standard Time",
        "(UTC-11:00) Coordinated Universal Time-11": "UTC-11",
        "(UTC-10:00) Aleutian Islands": "Aleutian Standard Time",
        "(UTC-10:00) Hawaii": "Hawaiian Standard Time",
        "(UTC-09:30) Marquesas Islands": "Marquesas Standard Time",
        "(UTC-09:00) Alaska": "Alaskan Standard Time",
        "(UTC-09:00) Coordinated Universal Time-09": "UTC-09",
        "(UTC-08:00) Baja California": "Pacific Standard Time (Mexico)",
        "(UTC-08:00) Coordinated Universal Time-08": "UTC-08",
        "(UTC-08:00) Pacific Time (US & Canada)": "Pacific Standard Time",
        "(UTC-07:00) Arizona": "US Mountain Standard Time",
        "(UTC-07:00) Chihuahua, La Paz, Mazatlan": "Mountain Standard Time (Mexico)",
        "(UTC-07:00) Mountain Time (US & Canada)": "Mountain Standard Time",
        "(UTC-07:00) Yukon": "Yukon Standard Time",
        "(UTC-06:00) Central America": "Central America Standard Time",
        "(UTC-06:00) Central Time (US & Canada)": "Central Standard Time",
        "(UTC-06:00) Easter Island": "Easter Island Standard Time",
        "(UTC-06:00) Guadalajara, Mexico City, Monterrey": "Central Standard Time (Mexico)",
        "(UTC-06:00) Saskatchewan": "Canada Central Standard Time",
        "(UTC-05:00) Bogota, Lima, Quito, Rio Branco": "SA Pacific Standard Time",
        "(UTC-05:00) Chetumal": "Eastern Standard Time (Mexico)",
        "(UTC-05:00) Eastern Time (US & Canada)": "Eastern Standard Time",
        "(UTC-05:00) Haiti": "Haiti Standard Time",
        "(UTC-05:00) Havana": "Cuba Standard Time",
        "(UTC-05:00) Indiana (East)": "US Eastern Standard Time",
        "(UTC-05:00) Turks and Caicos": "Turks And Caicos Standard Time",
        "(UTC-04:00) Asuncion": "Paraguay Standard Time",
        "(UTC-04:00) Atlantic Time (Canada)": "Atlantic Standard Time",
        "(UTC-04:00) Caracas": "Venezuela Standard Time",
        "(UTC-04:00) Cuiaba": "Central Brazilian Standard Time",
        "(UTC-04:00) Georgetown, La Paz, Manaus, San Juan": "SA Western Standard Time",
        "(UTC-04:00) Santiago": "Pacific SA Standard Time",
        "(UTC-03:30) Newfoundland": "Newfoundland Standard Time",
        "(UTC-03:00) Araguaina": "Tocantins Standard Time",
        "(UTC-03:00) Brasilia": "E. South America Standard Time",
        "(UTC-03:00) Cayenne, Fortaleza": "SA Eastern Standard Time",
        "(UTC-03:00) City of Buenos Aires": "Argentina Standard Time",
        "(UTC-03:00) Greenland": "Greenland Standard Time",
        "(UTC-03:00) Montevideo": "Montevideo Standard Time",
        "(UTC-03:00) Punta Arenas": "Magallanes Standard Time",
        "(UTC-03:00) Saint Pierre and Miquelon": "Saint Pierre Standard Time",
        "(UTC-03:00) Salvador": "Bahia Standard Time",
        "(UTC-02:00) Coordinated Universal Time-02": "UTC-02",
        "(UTC-01:00) Azores": "Azores Standard Time",
        "(UTC-01:00) Cabo Verde Is.": "Cape Verde Standard Time",
        "(UTC) Coordinated Universal Time": "UTC",
        "(UTC+00:00) Dublin, Edinburgh, Lisbon, London": "GMT Standard Time",
        "(UTC+00:00) Monrovia, Reykjavik": "Greenwich Standard Time",
        "(UTC+00:00) Sao Tome": "Sao Tome Standard Time",
        "(UTC+01:00) Casablanca": "Morocco Standard Time",
        "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna": "W. Europe Standard Time",
        "(UTC+01:00) Belgrade, Bratislava, Budapest, Ljubljana, Prague": "Central Europe Standard Time",
        "(UTC+01:00) Brussels, Copenhagen, Madrid, Paris": "Romance Standard Time",
        "(UTC+01:00) Sarajevo, Skopje, Warsaw, Zagreb": "Central European Standard Time",
        "(UTC+01:00) West Central Africa": "W. Central Africa Standard Time",
        "(UTC+02:00) Amman": "Jordan Standard Time",
        "(UTC+02:00) Athens, Bucharest": "GTB Standard Time",
        "(UTC+02:00) Beirut": "Middle East Standard Time",
        "(UTC+02:00) Cairo": "Egypt Standard Time",
        "(UTC+02:00) Chisinau": "E. Europe Standard Time",
        "(UTC+02:00) Damascus": "Syria Standard Time",
        "(UTC+02:00) Gaza, Hebron": "West Bank Standard Time",
        "(UTC+02:00) Harare, Pretoria": "South Africa Standard Time",
        "(UTC+02:00) Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius": "FLE Standard Time",
        "(UTC+02:00) Jerusalem": "Israel Standard Time",
        "(UTC+02:00) Juba": "South Sudan Standard Time",
        "(UTC+02:00) Kaliningrad": "Kaliningrad Standard Time",
        "(UTC+02:00) Khartoum": "Sudan Standard Time",
        "(UTC+02:00) Tripoli": "Libya Standard Time",
        "(UTC+02:00) Windhoek": "Namibia Standard Time",
        "(UTC+03:00) Baghdad": "Arabic Standard Time",
        "(UTC+03:00) Istanbul": "Turkey Standard Time",
        "(UTC+03:00) Kuwait, Riyadh": "Arab Standard Time",
        "(UTC+03:00) Minsk": "Belarus Standard Time",
        "(UTC+03:00) Moscow, St. Petersburg": "Russian Standard Time",
        "(UTC+03:00) Nairobi": "E. Africa Standard Time",
        "(UTC+03:30) Tehran": "Iran Standard Time",
        "(UTC+04:00) Abu Dhabi, Muscat": "Arabian Standard Time",
        "(UTC+04:00) Astrakhan, Ulyanovsk": "Astrakhan Standard Time",
        "(UTC+04:00) Baku": "Azerbaijan Standard Time",
        "(UTC+04:00) Izhevsk, Samara": "Russia Time Zone 3",
        "(UTC+04:00) Port Louis": "Mauritius Standard Time",
        "(UTC+04:00) Saratov": "Saratov Standard Time",
        "(UTC+04:00) Tbilisi": "Georgian Standard Time",
        "(UTC+04:00) Volgograd": "Volgograd Standard Time",
        "(UTC+04:00) Yerevan": "Caucasus Standard Time",
        "(UTC+04:30) Kabul": "Afghanistan Standard Time",
        "(UTC+05:00) Ashgabat, Tashkent": "West Asia Standard Time",
        "(UTC+05:00) Ekaterinburg": "Ekaterinburg Standard Time",
        "(UTC+05:00) Islamabad, Karachi": "Pakistan Standard Time",
        "(UTC+05:00) Qyzylorda": "Qyzylorda Standard Time",
        "(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi": "India Standard Time",
        "(UTC+05:30) Sri Jayawardenepura": "Sri Lanka Standard Time",
        "(UTC+05:45) Kathmandu": "Nepal Standard Time",
        "(UTC+06:00) Astana": "Central Asia Standard Time",
        "(UTC+06:00) Dhaka": "Bangladesh Standard Time",
        "(UTC+06:00) Omsk": "Omsk Standard Time",
        "(UTC+06:30) Yangon (Rangoon)": "Myanmar Standard Time",
        "(UTC+07:00) Bangkok, Hanoi, Jakarta": "SE Asia Standard Time",
        "(UTC+07:00) Barnaul, Gorno-Altaysk": "Altai Standard Time",
        "(UTC+07:00) Hovd": "W. Mongolia Standard Time",
        "(UTC+07:00) Krasnoyarsk": "North Asia Standard Time",
        "(UTC+07:00) Novosibirsk": "N. Central Asia Standard Time",
        "(UTC+07:00) Tomsk": "Tomsk Standard Time",
        "(UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi": "China Standard Time",
        "(UTC+08:00) Irkutsk": "North Asia East Standard Time",
        "(UTC+08:00) Kuala Lumpur, Singapore": "Singapore Standard Time",
        "(UTC+08:00) Perth": "W. Australia Standard Time",
        "(UTC+08:00) Taipei": "Taipei Standard Time",
        "(UTC+08:00) Ulaanbaatar": "Ulaanbaatar Standard Time",
        "(UTC+08:45) Eucla": "Aus Central W. Standard Time",
        "(UTC+09:00) Chita": "Transbaikal Standard Time",
        "(UTC+09:00) Osaka, Sapporo, Tokyo": "Tokyo Standard Time",
        "(UTC+09:00) Pyongyang": "North Korea Standard Time",
        "(UTC+09:00) Seoul": "Korea Standard Time",
        "(UTC+09:00) Yakutsk": "Yakutsk Standard Time",
        "(UTC+09:30) Adelaide": "Cen. Australia Standard Time",
        "(UTC+09:30) Darwin": "AUS Central Standard Time",
        "(UTC+10:00) Brisbane": "E. Australia Standard Time",
        "(UTC+10:00) Canberra, Melbourne, Sydney": "AUS Eastern Standard Time",
        "(UTC+10:00) Guam, Port Moresby": "West Pacific Standard Time",
        "(UTC+10:00) Hobart": "Tasmania Standard Time",
        "(UTC+10:00) Vladivostok": "Vladivostok Standard Time",
        "(UTC+10:30) Lord Howe Island": "Lord Howe Standard Time",
        "(UTC+11:00) Bougainville Island": "Bougainville Standard Time",
        "(UTC+11:00) Chokurdakh": "Russia Time Zone 10",
        "(UTC+11:00) Magadan": "Magadan Standard Time",
        "(UTC+11:00) Norfolk Island": "Norfolk Standard Time",
        "(UTC+11:00) Sakhalin": "Sakhalin Standard Time",
        "(UTC+11:00) Solomon Is., New Caledonia": "Central Pacific Standard Time",
        "(UTC+12:00) Anadyr, Petropavlovsk-Kamchatsky": "Russia Time Zone 11",
        "(UTC+12:00) Auckland, Wellington": "New Zealand Standard Time",
        "(UTC+12:00) Coordinated Universal Time+12": "UTC+12",
        "(UTC+12:00) Fiji": "Fiji Standard Time",
        "(UTC+12:45) Chatham Islands": "Chatham Islands Standard Time",
        "(UTC+13:00) Coordinated Universal Time+13": "UTC+13",
        "(UTC+13:00) Nuku'alofa": "Tonga Standard Time",
        "(UTC+13:00) Samoa": "Samoa Standard Time",
        "(UTC+14:00) Kiritimati Island": "Line Islands Standard Time",
        // Get-TimeZone -ListAvailable dump (en-US, newer Windows builds)
        "(UTC-07:00) La Paz, Mazatlan": "Mountain Standard Time (Mexico)",
        "(UTC-02:00) Greenland": "Greenland Standard Time",
        "(UTC+03:00) Amman": "Jordan Standard Time",
        "(UTC+03:00) Damascus": "Syria Standard Time",
        "(UTC+03:00) Volgograd": "Volgograd Standard Time",
        "(UTC+06:00) Nur-Sultan": "Central Asia Standard Time",
        // CIPP list (en-GB Windows build)
        "(UTC-02:00) Co-ordinated Universal Time-02": "UTC-02",
        "(UTC-03:00) Asuncion": "Paraguay Standard Time",
        "(UTC-08:00) Co-ordinated Universal Time-08": "UTC-08",
        "(UTC-09:00) Co-ordinated Universal Time-09": "UTC-09",
        "(UTC-11:00) Co-ordinated Universal Time-11": "UTC-11",
        "(UTC) Co-ordinated Universal Time": "UTC",
        "(UTC+03:00) Moscow, St Petersburg": "Russian Standard Time",
        "(UTC+05:00) Astana": "Qyzylorda Standard Time",
        "(UTC+06:00) Bishkek": "Central Asia Standard Time",
        "(UTC+08:00) Beijing, Chongqing, Hong Kong SAR, Urumqi": "China Standard Time",
        "(UTC+12:00) Co-ordinated Universal Time+12": "UTC+12",
        "(UTC+13:00) Co-ordinated Universal Time+13": "UTC+13",
        // CLDR 1.8 windowsZones.xml comments (legacy GMT-era names)
        "(GMT-03:00) Buenos Aires": "Argentina Standard Time",
        "(GMT-01:00) Cape Verde Is.": "Cape Verde Standard Time",
        "(GMT-04:00) Manaus": "Central Brazilian Standard Time",
        "(GMT+12:00) Fiji, Marshall Is.": "Fiji Standard Time",
        "(GMT) Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London": "GMT Standard Time",
        "(GMT+02:00) Athens, Bucharest, Istanbul": "GTB Standard Time",
        "(GMT+03:00) Tbilisi": "Georgian Standard Time",
        "(GMT) Casablanca": "Morocco Standard Time",
        "(GMT+06:00) Novosibirsk": "N. Central Asia Standard Time",
        "(GMT-08:00) Tijuana, Baja California": "Pacific Standard Time (Mexico)",
        "(GMT+03:00) Moscow, St. Petersburg, Volgograd": "Russian Standard Time",
        "(GMT-03:00) Cayenne": "SA Eastern Standard Time",
        "(GMT-05:00) Bogota, Lima, Quito": "SA Pacific Standard Time",
        "(GMT-04:00) Georgetown, La Paz, San Juan": "SA Western Standard Time",
        "(GMT-04:30) Caracas": "Venezuela Standard Time",
        "(GMT+05:00) Tashkent": "West Asia Standard Time",
    ]

    // MARK: - O(1) lookup tables, built once

    private static let lowercasedWindowsIDs: [String: String] = {
        var table = [String: String](minimumCapacity: byWindowsID.count)
        for (id, iana) in byWindowsID { table[normalizedKey(id)] = iana }
        return table
    }()

    private static let lowercasedDisplayNames: [String: String] = {
        var table = [String: String](minimumCapacity: byDisplayName.count)
        for (display, id) in byDisplayName {
            table[displayKey(fromNormalized: normalizedKey(display))] = id
        }
        return table
    }()

    private static let trimmedCharacters: CharacterSet =
        CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\"'\u{201C}\u{201D}\u{2018}\u{2019}"))

    /// Trims whitespace/quotes, decodes "&amp;", collapses whitespace, lowercases.
    private static func normalizedKey(_ raw: String) -> String {
        var s = raw.trimmingCharacters(in: trimmedCharacters)
        if s.contains("&amp;") { s = s.replacingOccurrences(of: "&amp;", with: "&") }
        return s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ").lowercased()
    }

    /// "(gmt..." -> "(utc...", "(utc+00:00)" / "(utc-00:00)" -> "(utc)".
    private static func displayKey(fromNormalized key: String) -> String {
        var s = key
        if s.hasPrefix("(gmt") { s = "(utc" + s.dropFirst(4) }
        for zero in ["(utc+00:00)", "(utc-00:00)"] where s.hasPrefix(zero) {
            s = "(utc)" + s.dropFirst(zero.count)
        }
        return s
    }
}
