enum ProductCategory: Int, CaseIterable {
    case audio, chargers, cables, cases, screenProtection, watchBands, trackers, stylus,
        keyboardsAndMice, powerBanks, hubsAndAdapters, mountsAndStands

    var name: String {
        switch self {
        case .audio: return "Audio"
        case .chargers: return "Chargers"
        case .cables: return "Cables"
        case .cases: return "Cases"
        case .screenProtection: return "Screen Protection"
        case .watchBands: return "Watch Bands"
        case .trackers: return "Trackers"
        case .stylus: return "Stylus"
        case .keyboardsAndMice: return "Keyboards & Mice"
        case .powerBanks: return "Power Banks"
        case .hubsAndAdapters: return "Hubs & Adapters"
        case .mountsAndStands: return "Mounts & Stands"
        }
    }

    var skuCode: String {
        ["AUD", "CHG", "CBL", "CSE", "SCR", "BND", "TRK", "STY", "KBM", "PWR", "HUB", "MNT"][rawValue]
    }

    /// Relative units sold per item of the category: small consumables sell most.
    var demand: Double {
        [1.6, 2.4, 3.0, 2.6, 3.0, 1.0, 0.9, 0.5, 0.4, 1.2, 0.6, 0.8][rawValue]
    }

    /// Bought several at a time (a cable for the car and one for the office).
    var boughtInMultiples: Bool { self == .cables || self == .screenProtection || self == .chargers }
}

struct CatalogItem {
    var model: String
    var category: ProductCategory
    var brand: String
    var compatibleWith: String
    /// List price in whole rupees.
    var price: Int
    var launch: String
}

extension CatalogItem {
    var brandCode: String {
        switch brand {
        case "Apple": return "APL"
        case "Beats": return "BTS"
        case "Anker": return "ANK"
        case "Belkin": return "BLK"
        case "Spigen": return "SPG"
        case "Baseus": return "BSE"
        case "Ugreen": return "UGR"
        case "ESR": return "ESR"
        case "Logitech": return "LOG"
        default: preconditionFailure("no SKU code for brand \(brand)")
        }
    }
}

/// The retailer's range: Apple's own accessories and the third-party brands sold
/// beside them in Pakistan, with street prices in PKR (2025). A few items launch
/// during 2025 (iPhone 17 generation) and enter the catalogue on their launch day.
enum ProductCatalog {
    typealias C = ProductCategory
    static let items: [CatalogItem] = [
        // Audio
        CatalogItem(
            model: "AirPods Pro 2 (USB-C)", category: C.audio, brand: "Apple", compatibleWith: "iPhone, iPad, Mac", price: 74_999,
            launch: "2023-09-22"),
        CatalogItem(
            model: "AirPods 4", category: C.audio, brand: "Apple", compatibleWith: "iPhone, iPad, Mac", price: 42_999, launch: "2024-09-20"),
        CatalogItem(
            model: "AirPods 4 with Active Noise Cancellation", category: C.audio, brand: "Apple", compatibleWith: "iPhone, iPad, Mac",
            price: 56_999, launch: "2024-09-20"),
        CatalogItem(
            model: "AirPods Max (USB-C)", category: C.audio, brand: "Apple", compatibleWith: "iPhone, iPad, Mac", price: 169_999,
            launch: "2024-09-20"),
        CatalogItem(
            model: "AirPods Pro 3", category: C.audio, brand: "Apple", compatibleWith: "iPhone, iPad, Mac", price: 84_999,
            launch: "2025-09-19"),
        CatalogItem(
            model: "Beats Studio Buds +", category: C.audio, brand: "Beats", compatibleWith: "iPhone, Android", price: 46_999,
            launch: "2023-05-18"),
        CatalogItem(
            model: "Beats Solo 4", category: C.audio, brand: "Beats", compatibleWith: "iPhone, Android", price: 64_999, launch: "2024-05-02"
        ),
        CatalogItem(
            model: "Beats Pill", category: C.audio, brand: "Beats", compatibleWith: "iPhone, Android", price: 52_999, launch: "2024-06-25"),
        CatalogItem(
            model: "Soundcore Liberty 4 NC", category: C.audio, brand: "Anker", compatibleWith: "iPhone, Android", price: 24_999,
            launch: "2023-09-01"),
        CatalogItem(
            model: "Soundcore P40i", category: C.audio, brand: "Anker", compatibleWith: "iPhone, Android", price: 11_999,
            launch: "2024-03-15"),
        CatalogItem(
            model: "Bowie MA10 Earbuds", category: C.audio, brand: "Baseus", compatibleWith: "iPhone, Android", price: 7_499,
            launch: "2023-11-01"),
        // Chargers
        CatalogItem(
            model: "20W USB-C Power Adapter", category: C.chargers, brand: "Apple", compatibleWith: "iPhone, iPad, AirPods", price: 6_499,
            launch: "2020-10-13"),
        CatalogItem(
            model: "35W Dual USB-C Port Compact Power Adapter", category: C.chargers, brand: "Apple",
            compatibleWith: "iPhone, iPad, MacBook Air", price: 14_999, launch: "2022-06-06"),
        CatalogItem(
            model: "70W USB-C Power Adapter", category: C.chargers, brand: "Apple", compatibleWith: "MacBook Air, MacBook Pro",
            price: 22_999, launch: "2023-01-24"),
        CatalogItem(
            model: "MagSafe Charger (1 m)", category: C.chargers, brand: "Apple", compatibleWith: "iPhone 12 and later, AirPods",
            price: 14_999, launch: "2024-09-20"),
        CatalogItem(
            model: "MagSafe Charger (2 m)", category: C.chargers, brand: "Apple", compatibleWith: "iPhone 12 and later, AirPods",
            price: 17_999, launch: "2024-09-20"),
        CatalogItem(
            model: "Apple Watch Magnetic Fast Charger to USB-C Cable (1 m)", category: C.chargers, brand: "Apple",
            compatibleWith: "Apple Watch", price: 10_999, launch: "2021-10-15"),
        CatalogItem(
            model: "Nano Charger 20W", category: C.chargers, brand: "Anker", compatibleWith: "iPhone, iPad", price: 3_499,
            launch: "2021-09-01"),
        CatalogItem(
            model: "735 Charger (Nano II 65W)", category: C.chargers, brand: "Anker", compatibleWith: "iPhone, iPad, MacBook",
            price: 11_999, launch: "2022-03-01"),
        CatalogItem(
            model: "MagGo 3-in-1 Wireless Charging Station (Qi2)", category: C.chargers, brand: "Anker",
            compatibleWith: "iPhone 12 and later, Apple Watch, AirPods", price: 27_999, launch: "2024-04-01"),
        CatalogItem(
            model: "BoostCharge Pro 3-in-1 with MagSafe 15W", category: C.chargers, brand: "Belkin",
            compatibleWith: "iPhone 12 and later, Apple Watch, AirPods", price: 39_999, launch: "2022-09-01"),
        CatalogItem(
            model: "BoostCharge Pro 2-in-1 Qi2 15W", category: C.chargers, brand: "Belkin", compatibleWith: "iPhone 12 and later, AirPods",
            price: 24_999, launch: "2024-03-01"),
        CatalogItem(
            model: "GaN5 Pro 65W Charger", category: C.chargers, brand: "Baseus", compatibleWith: "iPhone, iPad, MacBook", price: 7_999,
            launch: "2023-06-01"),
        CatalogItem(
            model: "Nexode 30W USB-C Charger", category: C.chargers, brand: "Ugreen", compatibleWith: "iPhone, iPad", price: 4_299,
            launch: "2022-08-01"),
        CatalogItem(
            model: "Nexode 65W 3-Port Charger", category: C.chargers, brand: "Ugreen", compatibleWith: "iPhone, iPad, MacBook",
            price: 8_999, launch: "2022-08-01"),
        CatalogItem(
            model: "ArcStation Pro 25W", category: C.chargers, brand: "Spigen", compatibleWith: "iPhone, iPad", price: 3_999,
            launch: "2023-02-01"),
        // Cables
        CatalogItem(
            model: "USB-C to Lightning Cable (1 m)", category: C.cables, brand: "Apple", compatibleWith: "iPhone 14 and earlier, AirPods",
            price: 5_499, launch: "2020-10-13"),
        CatalogItem(
            model: "USB-C Woven Charge Cable (1 m)", category: C.cables, brand: "Apple", compatibleWith: "iPhone 15 and later, iPad, Mac",
            price: 4_999, launch: "2023-09-12"),
        CatalogItem(
            model: "240W USB-C Charge Cable (2 m)", category: C.cables, brand: "Apple", compatibleWith: "iPhone 15 and later, iPad, Mac",
            price: 8_999, launch: "2023-09-12"),
        CatalogItem(
            model: "Thunderbolt 4 (USB-C) Pro Cable (1 m)", category: C.cables, brand: "Apple", compatibleWith: "Mac, iPad Pro",
            price: 19_999, launch: "2022-10-18"),
        CatalogItem(
            model: "PowerLine III USB-C to Lightning (0.9 m)", category: C.cables, brand: "Anker", compatibleWith: "iPhone 14 and earlier",
            price: 2_499, launch: "2021-03-01"),
        CatalogItem(
            model: "322 USB-C to USB-C Cable 60W (1.8 m)", category: C.cables, brand: "Anker",
            compatibleWith: "iPhone 15 and later, iPad, Mac", price: 2_199, launch: "2022-05-01"),
        CatalogItem(
            model: "BoostCharge USB-C to Lightning Braided (1 m)", category: C.cables, brand: "Belkin",
            compatibleWith: "iPhone 14 and earlier", price: 4_499, launch: "2021-06-01"),
        CatalogItem(
            model: "Crystal Shine USB-C 100W Cable (1.2 m)", category: C.cables, brand: "Baseus",
            compatibleWith: "iPhone 15 and later, iPad, Mac", price: 2_099, launch: "2022-11-01"),
        CatalogItem(
            model: "USB-C to Lightning MFi Cable (1 m)", category: C.cables, brand: "Ugreen", compatibleWith: "iPhone 14 and earlier",
            price: 2_299, launch: "2021-08-01"),
        CatalogItem(
            model: "USB-C 100W Braided Cable (2 m)", category: C.cables, brand: "Ugreen", compatibleWith: "iPhone 15 and later, iPad, Mac",
            price: 2_499, launch: "2022-04-01"),
        CatalogItem(
            model: "DuraSync USB-C to USB-C 60W Cable", category: C.cables, brand: "Spigen",
            compatibleWith: "iPhone 15 and later, iPad, Mac", price: 2_299, launch: "2023-03-01"),
        // Cases
        CatalogItem(
            model: "iPhone 16 Pro Silicone Case with MagSafe", category: C.cases, brand: "Apple", compatibleWith: "iPhone 16 Pro",
            price: 14_999, launch: "2024-09-20"),
        CatalogItem(
            model: "iPhone 16 Pro Max Clear Case with MagSafe", category: C.cases, brand: "Apple", compatibleWith: "iPhone 16 Pro Max",
            price: 14_999, launch: "2024-09-20"),
        CatalogItem(
            model: "iPhone FineWoven Wallet with MagSafe", category: C.cases, brand: "Apple", compatibleWith: "iPhone 12 and later",
            price: 17_999, launch: "2023-09-22"),
        CatalogItem(
            model: "iPhone 15 Pro FineWoven Case with MagSafe", category: C.cases, brand: "Apple", compatibleWith: "iPhone 15 Pro",
            price: 14_999, launch: "2023-09-22"),
        CatalogItem(
            model: "iPhone 17 Pro Silicone Case with MagSafe", category: C.cases, brand: "Apple", compatibleWith: "iPhone 17 Pro",
            price: 15_999, launch: "2025-09-19"),
        CatalogItem(
            model: "Ultra Hybrid MagFit for iPhone 16 Pro", category: C.cases, brand: "Spigen", compatibleWith: "iPhone 16 Pro",
            price: 5_499, launch: "2024-09-13"),
        CatalogItem(
            model: "Tough Armor MagFit for iPhone 16 Pro Max", category: C.cases, brand: "Spigen", compatibleWith: "iPhone 16 Pro Max",
            price: 6_999, launch: "2024-09-13"),
        CatalogItem(
            model: "Ultra Hybrid MagFit for iPhone 17 Pro Max", category: C.cases, brand: "Spigen", compatibleWith: "iPhone 17 Pro Max",
            price: 5_999, launch: "2025-09-19"),
        CatalogItem(
            model: "Liquid Air for iPhone 15", category: C.cases, brand: "Spigen", compatibleWith: "iPhone 15", price: 3_999,
            launch: "2023-09-15"),
        CatalogItem(
            model: "Rugged Armor for iPhone 13", category: C.cases, brand: "Spigen", compatibleWith: "iPhone 13", price: 3_499,
            launch: "2021-09-17"),
        CatalogItem(
            model: "Crystal Magnetic Case for iPhone 16", category: C.cases, brand: "Baseus", compatibleWith: "iPhone 16", price: 2_999,
            launch: "2024-10-01"),
        CatalogItem(
            model: "Magnetic Clear Case for iPhone 15 Pro", category: C.cases, brand: "Ugreen", compatibleWith: "iPhone 15 Pro",
            price: 2_999, launch: "2023-10-01"),
        CatalogItem(
            model: "Classic Hybrid HaloLock for iPhone 16 Pro Max", category: C.cases, brand: "ESR", compatibleWith: "iPhone 16 Pro Max",
            price: 3_999, launch: "2024-09-20"),
        CatalogItem(
            model: "Smart Folio for iPad Air 11-inch (M2)", category: C.cases, brand: "Apple", compatibleWith: "iPad Air 11-inch (M2)",
            price: 24_999, launch: "2024-05-15"),
        CatalogItem(
            model: "Rugged Armor Pro for iPad (10th generation)", category: C.cases, brand: "Spigen",
            compatibleWith: "iPad (10th generation)", price: 7_999, launch: "2022-11-01"),
        CatalogItem(
            model: "MagSafe Case for AirPods Pro 2", category: C.cases, brand: "Spigen", compatibleWith: "AirPods Pro 2", price: 2_999,
            launch: "2022-10-01"),
        // Screen protection
        CatalogItem(
            model: "UltraGlass 2 for iPhone 16 Pro", category: C.screenProtection, brand: "Belkin", compatibleWith: "iPhone 16 Pro",
            price: 7_999, launch: "2024-09-20"),
        CatalogItem(
            model: "GLAS.tR EZ Fit for iPhone 16 Pro Max (2-pack)", category: C.screenProtection, brand: "Spigen",
            compatibleWith: "iPhone 16 Pro Max", price: 4_499, launch: "2024-09-13"),
        CatalogItem(
            model: "GLAS.tR EZ Fit for iPhone 15 (2-pack)", category: C.screenProtection, brand: "Spigen", compatibleWith: "iPhone 15",
            price: 3_999, launch: "2023-09-15"),
        CatalogItem(
            model: "GLAS.tR EZ Fit for iPhone 17 Pro (2-pack)", category: C.screenProtection, brand: "Spigen",
            compatibleWith: "iPhone 17 Pro", price: 4_799, launch: "2025-09-19"),
        CatalogItem(
            model: "Tempered Glass for iPhone 14 (2-pack)", category: C.screenProtection, brand: "Baseus", compatibleWith: "iPhone 14",
            price: 1_499, launch: "2022-09-20"),
        CatalogItem(
            model: "Privacy Tempered Glass for iPhone 15 Pro Max", category: C.screenProtection, brand: "Ugreen",
            compatibleWith: "iPhone 15 Pro Max", price: 1_999, launch: "2023-10-01"),
        CatalogItem(
            model: "Armorite Screen Protector for iPhone 16", category: C.screenProtection, brand: "ESR", compatibleWith: "iPhone 16",
            price: 2_499, launch: "2024-09-20"),
        CatalogItem(
            model: "Paper Touch Pro for iPad Air 11-inch", category: C.screenProtection, brand: "Spigen",
            compatibleWith: "iPad Air 11-inch", price: 5_999, launch: "2024-06-01"),
        CatalogItem(
            model: "GLAS.tR for Apple Watch Series 10 (46 mm)", category: C.screenProtection, brand: "Spigen",
            compatibleWith: "Apple Watch Series 10", price: 3_499, launch: "2024-09-27"),
        // Watch bands
        CatalogItem(
            model: "Sport Band (45 mm)", category: C.watchBands, brand: "Apple", compatibleWith: "Apple Watch 44/45/46 mm", price: 14_999,
            launch: "2023-09-22"),
        CatalogItem(
            model: "Sport Loop (46 mm)", category: C.watchBands, brand: "Apple", compatibleWith: "Apple Watch 44/45/46 mm", price: 14_999,
            launch: "2024-09-20"),
        CatalogItem(
            model: "Solo Loop (42 mm)", category: C.watchBands, brand: "Apple", compatibleWith: "Apple Watch 40/41/42 mm", price: 14_999,
            launch: "2024-09-20"),
        CatalogItem(
            model: "Milanese Loop (46 mm)", category: C.watchBands, brand: "Apple", compatibleWith: "Apple Watch 44/45/46 mm",
            price: 31_999, launch: "2024-09-20"),
        CatalogItem(
            model: "Nike Sport Band (45 mm)", category: C.watchBands, brand: "Apple", compatibleWith: "Apple Watch 44/45/46 mm",
            price: 14_999, launch: "2023-09-22"),
        CatalogItem(
            model: "Ocean Band (49 mm)", category: C.watchBands, brand: "Apple", compatibleWith: "Apple Watch Ultra", price: 31_999,
            launch: "2023-09-22"),
        CatalogItem(
            model: "Modern Fit Band (45 mm)", category: C.watchBands, brand: "Spigen", compatibleWith: "Apple Watch 44/45/46 mm",
            price: 3_999, launch: "2022-10-01"),
        CatalogItem(
            model: "Milanese Loop (44/45 mm)", category: C.watchBands, brand: "Baseus", compatibleWith: "Apple Watch 44/45/46 mm",
            price: 2_499, launch: "2023-01-15"),
        CatalogItem(
            model: "Nylon Sport Loop (45 mm)", category: C.watchBands, brand: "Ugreen", compatibleWith: "Apple Watch 44/45/46 mm",
            price: 1_999, launch: "2023-04-01"),
        // Trackers
        CatalogItem(
            model: "AirTag", category: C.trackers, brand: "Apple", compatibleWith: "iPhone, iPad", price: 12_999, launch: "2021-04-30"),
        CatalogItem(
            model: "AirTag (4 pack)", category: C.trackers, brand: "Apple", compatibleWith: "iPhone, iPad", price: 42_999,
            launch: "2021-04-30"),
        CatalogItem(
            model: "AirTag FineWoven Key Ring", category: C.trackers, brand: "Apple", compatibleWith: "AirTag", price: 11_999,
            launch: "2023-09-22"),
        CatalogItem(
            model: "Secure Holder with Key Ring for AirTag", category: C.trackers, brand: "Belkin", compatibleWith: "AirTag", price: 3_999,
            launch: "2021-05-15"),
        CatalogItem(
            model: "Rugged Armor Case for AirTag", category: C.trackers, brand: "Spigen", compatibleWith: "AirTag", price: 1_999,
            launch: "2021-06-01"),
        // Stylus
        CatalogItem(
            model: "Apple Pencil Pro", category: C.stylus, brand: "Apple", compatibleWith: "iPad Pro (M4), iPad Air (M2)", price: 39_999,
            launch: "2024-05-15"),
        CatalogItem(
            model: "Apple Pencil (USB-C)", category: C.stylus, brand: "Apple", compatibleWith: "iPad (10th generation), iPad Air, iPad Pro",
            price: 24_999, launch: "2023-11-01"),
        CatalogItem(
            model: "Apple Pencil (2nd generation)", category: C.stylus, brand: "Apple",
            compatibleWith: "iPad Pro, iPad Air (4th/5th generation)", price: 36_999, launch: "2018-11-07"),
        CatalogItem(
            model: "Apple Pencil Tips (4 pack)", category: C.stylus, brand: "Apple", compatibleWith: "Apple Pencil", price: 6_999,
            launch: "2018-11-07"),
        CatalogItem(
            model: "Smooth Writing 2 Stylus", category: C.stylus, brand: "Baseus", compatibleWith: "iPad (2018 and later)", price: 5_999,
            launch: "2023-05-01"),
        CatalogItem(
            model: "Stylus Pen for iPad", category: C.stylus, brand: "Ugreen", compatibleWith: "iPad (2018 and later)", price: 4_499,
            launch: "2022-09-01"),
        // Keyboards and mice
        CatalogItem(
            model: "Magic Keyboard (USB-C)", category: C.keyboardsAndMice, brand: "Apple", compatibleWith: "Mac, iPad", price: 31_999,
            launch: "2024-10-28"),
        CatalogItem(
            model: "Magic Keyboard with Touch ID and Numeric Keypad (USB-C)", category: C.keyboardsAndMice, brand: "Apple",
            compatibleWith: "Mac with Apple silicon", price: 54_999, launch: "2024-10-28"),
        CatalogItem(
            model: "Magic Mouse (USB-C)", category: C.keyboardsAndMice, brand: "Apple", compatibleWith: "Mac, iPad", price: 27_999,
            launch: "2024-10-28"),
        CatalogItem(
            model: "Magic Trackpad (USB-C)", category: C.keyboardsAndMice, brand: "Apple", compatibleWith: "Mac, iPad", price: 44_999,
            launch: "2024-10-28"),
        CatalogItem(
            model: "Magic Keyboard for iPad Pro 13-inch (M4)", category: C.keyboardsAndMice, brand: "Apple",
            compatibleWith: "iPad Pro 13-inch (M4)", price: 104_999, launch: "2024-05-15"),
        CatalogItem(
            model: "MX Keys Mini for Mac", category: C.keyboardsAndMice, brand: "Logitech", compatibleWith: "Mac, iPad", price: 29_999,
            launch: "2021-10-01"),
        CatalogItem(
            model: "MX Master 3S for Mac", category: C.keyboardsAndMice, brand: "Logitech", compatibleWith: "Mac, iPad", price: 31_999,
            launch: "2022-06-01"),
        // Power banks
        CatalogItem(
            model: "MagGo Power Bank 10K (Qi2)", category: C.powerBanks, brand: "Anker", compatibleWith: "iPhone 12 and later",
            price: 19_999, launch: "2024-03-01"),
        CatalogItem(
            model: "622 Magnetic Battery (MagGo) 5000mAh", category: C.powerBanks, brand: "Anker", compatibleWith: "iPhone 12 and later",
            price: 9_999, launch: "2022-01-15"),
        CatalogItem(
            model: "737 Power Bank (PowerCore 24K)", category: C.powerBanks, brand: "Anker", compatibleWith: "iPhone, iPad, MacBook",
            price: 24_999, launch: "2022-08-01"),
        CatalogItem(
            model: "Magnetic Mini Power Bank 10000mAh 20W", category: C.powerBanks, brand: "Baseus", compatibleWith: "iPhone 12 and later",
            price: 7_999, launch: "2022-10-01"),
        CatalogItem(
            model: "10000mAh 20W PD Power Bank", category: C.powerBanks, brand: "Ugreen", compatibleWith: "iPhone, iPad", price: 5_999,
            launch: "2022-03-01"),
        CatalogItem(
            model: "BoostCharge Pro Magnetic Power Bank 5K", category: C.powerBanks, brand: "Belkin", compatibleWith: "iPhone 12 and later",
            price: 12_999, launch: "2023-04-01"),
        // Hubs and adapters
        CatalogItem(
            model: "USB-C Digital AV Multiport Adapter", category: C.hubsAndAdapters, brand: "Apple", compatibleWith: "Mac, iPad",
            price: 24_999, launch: "2019-09-10"),
        CatalogItem(
            model: "USB-C to 3.5 mm Headphone Jack Adapter", category: C.hubsAndAdapters, brand: "Apple",
            compatibleWith: "iPhone 15 and later, iPad", price: 3_499, launch: "2018-10-30"),
        CatalogItem(
            model: "Lightning to 3.5 mm Headphone Jack Adapter", category: C.hubsAndAdapters, brand: "Apple",
            compatibleWith: "iPhone 14 and earlier", price: 3_499, launch: "2016-09-16"),
        CatalogItem(
            model: "555 USB-C Hub (8-in-1)", category: C.hubsAndAdapters, brand: "Anker", compatibleWith: "Mac, iPad", price: 14_999,
            launch: "2021-07-01"),
        CatalogItem(
            model: "Revodok 6-in-1 USB-C Hub", category: C.hubsAndAdapters, brand: "Ugreen", compatibleWith: "Mac, iPad", price: 8_999,
            launch: "2022-05-01"),
        CatalogItem(
            model: "Metal Gleam 6-in-1 USB-C Hub", category: C.hubsAndAdapters, brand: "Baseus", compatibleWith: "Mac, iPad", price: 6_999,
            launch: "2022-02-01"),
        CatalogItem(
            model: "Connect USB-C 11-in-1 Multiport Dock", category: C.hubsAndAdapters, brand: "Belkin", compatibleWith: "Mac",
            price: 29_999, launch: "2022-06-01"),
        // Mounts and stands
        CatalogItem(
            model: "iPhone Mount with MagSafe for Mac", category: C.mountsAndStands, brand: "Belkin",
            compatibleWith: "iPhone 12 and later, Mac", price: 8_999, launch: "2022-10-24"),
        CatalogItem(
            model: "OneTap Magnetic Car Mount (MagFit)", category: C.mountsAndStands, brand: "Spigen",
            compatibleWith: "iPhone 12 and later", price: 5_999, launch: "2022-04-01"),
        CatalogItem(
            model: "C01 Magnetic Phone Holder", category: C.mountsAndStands, brand: "Baseus", compatibleWith: "iPhone 12 and later",
            price: 2_999, launch: "2022-07-01"),
        CatalogItem(
            model: "Magnetic Car Phone Holder", category: C.mountsAndStands, brand: "Ugreen", compatibleWith: "iPhone 12 and later",
            price: 2_499, launch: "2022-09-01"),
        CatalogItem(
            model: "Aluminium Laptop Stand", category: C.mountsAndStands, brand: "Ugreen", compatibleWith: "MacBook Air, MacBook Pro",
            price: 4_999, launch: "2021-11-01"),
    ]
}
