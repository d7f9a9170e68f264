/// Pakistan's provinces and territories, as the `province` field spells them.
enum Province: Int, CaseIterable {
    case punjab, sindh, khyberPakhtunkhwa, balochistan, islamabad, gilgitBaltistan, azadKashmir

    var name: String {
        switch self {
        case .punjab: return "Punjab"
        case .sindh: return "Sindh"
        case .khyberPakhtunkhwa: return "Khyber Pakhtunkhwa"
        case .balochistan: return "Balochistan"
        case .islamabad: return "Islamabad Capital Territory"
        case .gilgitBaltistan: return "Gilgit-Baltistan"
        case .azadKashmir: return "Azad Kashmir"
        }
    }
}

/// The store regions. Every city belongs to one, so stores and customers agree.
enum Region: Int, CaseIterable {
    case north, central, south, west

    var name: String {
        switch self {
        case .north: return "North"
        case .central: return "Central"
        case .south: return "South"
        case .west: return "West"
        }
    }
}

struct City {
    var name: String
    var province: Province
    var region: Region
    /// Share of customers: urban population (millions, approximate), scaled up
    /// where spending on Apple accessories is above the national mean.
    var customerWeight: Double
    /// Parcels to and from here take longer (mountains, long desert roads).
    var remote: Bool
}

enum Geography {
    static let cities: [City] = [
        City(name: "Karachi", province: .sindh, region: .south, customerWeight: 16.8, remote: false),
        City(name: "Lahore", province: .punjab, region: .central, customerWeight: 13.0, remote: false),
        City(name: "Faisalabad", province: .punjab, region: .central, customerWeight: 3.6, remote: false),
        City(name: "Rawalpindi", province: .punjab, region: .north, customerWeight: 3.0, remote: false),
        City(name: "Gujranwala", province: .punjab, region: .central, customerWeight: 2.4, remote: false),
        City(name: "Peshawar", province: .khyberPakhtunkhwa, region: .north, customerWeight: 2.2, remote: false),
        City(name: "Multan", province: .punjab, region: .south, customerWeight: 2.2, remote: false),
        City(name: "Hyderabad", province: .sindh, region: .south, customerWeight: 1.9, remote: false),
        City(name: "Islamabad", province: .islamabad, region: .north, customerWeight: 3.4, remote: false),
        City(name: "Quetta", province: .balochistan, region: .west, customerWeight: 1.4, remote: false),
        City(name: "Sialkot", province: .punjab, region: .central, customerWeight: 1.2, remote: false),
        City(name: "Bahawalpur", province: .punjab, region: .south, customerWeight: 0.8, remote: false),
        City(name: "Sargodha", province: .punjab, region: .central, customerWeight: 0.8, remote: false),
        City(name: "Sukkur", province: .sindh, region: .south, customerWeight: 0.5, remote: false),
        City(name: "Larkana", province: .sindh, region: .south, customerWeight: 0.4, remote: false),
        City(name: "Sheikhupura", province: .punjab, region: .central, customerWeight: 0.4, remote: false),
        City(name: "Rahim Yar Khan", province: .punjab, region: .south, customerWeight: 0.4, remote: false),
        City(name: "Mardan", province: .khyberPakhtunkhwa, region: .north, customerWeight: 0.4, remote: false),
        City(name: "Abbottabad", province: .khyberPakhtunkhwa, region: .north, customerWeight: 0.35, remote: false),
        City(name: "Mingora", province: .khyberPakhtunkhwa, region: .north, customerWeight: 0.3, remote: true),
        City(name: "Dera Ismail Khan", province: .khyberPakhtunkhwa, region: .west, customerWeight: 0.25, remote: true),
        City(name: "Muzaffarabad", province: .azadKashmir, region: .north, customerWeight: 0.2, remote: true),
        City(name: "Mirpur", province: .azadKashmir, region: .north, customerWeight: 0.25, remote: false),
        City(name: "Gilgit", province: .gilgitBaltistan, region: .north, customerWeight: 0.12, remote: true),
        City(name: "Skardu", province: .gilgitBaltistan, region: .north, customerWeight: 0.06, remote: true),
        City(name: "Turbat", province: .balochistan, region: .west, customerWeight: 0.15, remote: true),
        City(name: "Gwadar", province: .balochistan, region: .west, customerWeight: 0.08, remote: true),
    ]

    static func index(of name: String) -> Int {
        guard let i = cities.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("unknown city \(name)")
        }
        return i
    }
}
