enum StoreType: Int {
    case flagship, mall, kiosk, online

    var name: String { ["Flagship", "Mall", "Kiosk", "Online"][rawValue] }
    /// Relative footfall of a store of this type in the same city.
    var footfall: Int { [5, 3, 1, 0][rawValue] }
    var staffCount: Int { [5, 4, 2, 4][rawValue] }
    /// Units of each product kept on hand at the least, however slow it sells.
    var minimumStock: Int { [8, 6, 4, 12][rawValue] }
}

struct StoreSite {
    var name: String
    var city: String
    var address: String
    var type: StoreType
    var opened: String
}

/// The chain's stores. The online store ships from the Lahore warehouse, so its
/// region is Central like any other Lahore store.
enum StoreDirectory {
    static let sites: [StoreSite] = [
        StoreSite(
            name: "ShopStream Dolmen Mall Clifton", city: "Karachi", address: "Shop 114, Dolmen Mall, Block 4, Clifton, Karachi",
            type: .mall, opened: "2017-03-18"),
        StoreSite(
            name: "ShopStream Tariq Road", city: "Karachi", address: "Plot 42, Tariq Road, PECHS Block 2, Karachi", type: .flagship,
            opened: "2016-11-05"),
        StoreSite(
            name: "ShopStream Lucky One Mall", city: "Karachi", address: "Shop G-27, LuckyOne Mall, Rashid Minhas Road, Karachi",
            type: .mall, opened: "2019-08-10"),
        StoreSite(
            name: "ShopStream MM Alam Road", city: "Lahore", address: "96-B, MM Alam Road, Gulberg III, Lahore", type: .flagship,
            opened: "2016-06-25"),
        StoreSite(
            name: "ShopStream Emporium Mall", city: "Lahore", address: "Shop 2-14, Emporium Mall, Johar Town, Lahore", type: .mall,
            opened: "2018-02-14"),
        StoreSite(
            name: "ShopStream Packages Mall", city: "Lahore", address: "Shop F-09, Packages Mall, Walton Road, Lahore", type: .mall,
            opened: "2019-04-20"),
        StoreSite(
            name: "ShopStream Centaurus Mall", city: "Islamabad", address: "Shop 3-21, The Centaurus Mall, F-8, Islamabad", type: .mall,
            opened: "2017-09-09"),
        StoreSite(
            name: "ShopStream Jinnah Super", city: "Islamabad", address: "12 College Road, Jinnah Super Market, F-7 Markaz, Islamabad",
            type: .flagship, opened: "2018-12-01"),
        StoreSite(
            name: "ShopStream Saddar Rawalpindi", city: "Rawalpindi", address: "Kiosk 7, Bank Road, Saddar, Rawalpindi", type: .kiosk,
            opened: "2020-01-15"),
        StoreSite(
            name: "ShopStream Lyallpur Galleria", city: "Faisalabad", address: "Shop 118, Lyallpur Galleria, Jail Road, Faisalabad",
            type: .mall, opened: "2020-10-03"),
        StoreSite(
            name: "ShopStream Mall of Multan", city: "Multan", address: "Shop 31, Mall of Multan, Bosan Road, Multan", type: .mall,
            opened: "2021-03-27"),
        StoreSite(
            name: "ShopStream University Road", city: "Peshawar", address: "Kiosk 4, Deans Trade Centre, Saddar Road, Peshawar",
            type: .kiosk, opened: "2021-07-10"),
        StoreSite(
            name: "ShopStream Jinnah Road Quetta", city: "Quetta", address: "Kiosk 2, Millennium Mall, Jinnah Road, Quetta", type: .kiosk,
            opened: "2022-05-21"),
        StoreSite(
            name: "ShopStream Auto Bhan Road", city: "Hyderabad", address: "Kiosk 9, Auto Bhan Road, Latifabad, Hyderabad", type: .kiosk,
            opened: "2022-02-12"),
        StoreSite(
            name: "ShopStream Sialkot Cantt", city: "Sialkot", address: "Kiosk 3, Kutchery Road, Sialkot Cantonment, Sialkot", type: .kiosk,
            opened: "2023-01-28"),
        StoreSite(
            name: "ShopStream Gujranwala GT Road", city: "Gujranwala", address: "Kiosk 5, Gujranwala Trust Plaza, GT Road, Gujranwala",
            type: .kiosk, opened: "2023-09-16"),
        StoreSite(
            name: "ShopStream Online Store", city: "Lahore", address: "Warehouse 12, Sundar Industrial Estate, Raiwind Road, Lahore",
            type: .online, opened: "2019-01-01"),
    ]
}
