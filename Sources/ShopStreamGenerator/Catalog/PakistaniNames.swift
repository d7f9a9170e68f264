/// Given names and surnames common in Pakistan. Surnames that are typical of one
/// province are kept apart, so a Quetta customer is more often a Baloch or a Kakar.
enum PakistaniNames {
    static let male = [
        "Muhammad", "Ahmed", "Ali", "Hassan", "Hussain", "Usman", "Bilal", "Hamza", "Umar", "Zain",
        "Saad", "Fahad", "Faisal", "Imran", "Kamran", "Asad", "Danish", "Junaid", "Waqas", "Shahid",
        "Tariq", "Naveed", "Adnan", "Arslan", "Talha", "Haris", "Shoaib", "Salman", "Rizwan", "Zeeshan",
        "Farhan", "Sohail", "Raza", "Abdullah", "Ibrahim", "Yasir", "Noman", "Owais", "Moiz", "Hammad",
        "Ahsan", "Taimur", "Sikandar", "Jahanzeb", "Babar", "Aamir", "Waleed", "Sarmad", "Daniyal", "Rehan",
        "Mustafa", "Anas", "Khurram", "Shahzaib", "Fawad", "Asim", "Irfan", "Zubair", "Wahab", "Qasim",
    ]

    static let female = [
        "Ayesha", "Fatima", "Zainab", "Maryam", "Hira", "Sana", "Mahnoor", "Iqra", "Amna", "Sara",
        "Rabia", "Nida", "Sidra", "Anum", "Mehwish", "Saima", "Bushra", "Fiza", "Hina", "Komal",
        "Areeba", "Alina", "Hafsa", "Khadija", "Laiba", "Mariam", "Noor", "Sadia", "Samina", "Shazia",
        "Sobia", "Tahira", "Uzma", "Zara", "Aiman", "Anaya", "Dua", "Eman", "Ifra", "Javeria",
        "Kinza", "Madiha", "Nimra", "Rimsha", "Saba", "Sehar", "Sundas", "Tehreem", "Wajiha", "Yusra",
        "Zoya", "Aleena", "Farah", "Rida", "Momina", "Huma", "Asma", "Naila", "Faiza", "Mahira",
    ]

    static let surnames = [
        "Khan", "Ahmed", "Ali", "Butt", "Malik", "Sheikh", "Qureshi", "Chaudhry", "Siddiqui", "Mirza",
        "Awan", "Raja", "Abbasi", "Hashmi", "Javed", "Iqbal", "Aslam", "Baig", "Shah", "Syed",
        "Zaidi", "Rizvi", "Naqvi", "Bukhari", "Gilani", "Ansari", "Farooqi", "Hussain", "Akhtar", "Nawaz",
        "Tahir", "Anwar", "Kazmi", "Jafri", "Sethi", "Hayat", "Mughal", "Rehman", "Saleem", "Latif",
    ]

    /// Surnames typical of one province, drawn for some of its residents.
    static func regionalSurnames(_ province: Province) -> [String] {
        switch province {
        case .punjab: return ["Bhatti", "Cheema", "Gill", "Jutt", "Rana", "Rajput", "Warraich", "Tiwana", "Gondal", "Arain"]
        case .sindh: return ["Memon", "Soomro", "Shaikh", "Bhutto", "Junejo", "Chandio", "Mahar", "Talpur"]
        case .khyberPakhtunkhwa: return ["Khattak", "Yousafzai", "Afridi", "Durrani", "Marwat", "Bangash", "Orakzai", "Mohmand"]
        case .balochistan: return ["Baloch", "Bugti", "Marri", "Mengal", "Rind", "Kakar", "Achakzai", "Raisani"]
        case .islamabad: return ["Abbasi", "Kiani", "Satti", "Janjua"]
        case .gilgitBaltistan: return ["Baltistani", "Hunzai", "Nagri", "Shigri"]
        case .azadKashmir: return ["Sudhan", "Rathore", "Dar", "Lone", "Mir"]
        }
    }

    static let emailDomains = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com"]

    /// Mobile network prefixes (the `3xx` after +92): Jazz, Zong, Warid, Ufone, Telenor.
    static let mobilePrefixes = [
        300, 301, 302, 303, 304, 305, 306, 307, 308, 309,
        310, 311, 312, 313, 314, 315, 316, 317, 318,
        320, 321, 322, 323, 324,
        330, 331, 332, 333, 334, 335, 336,
        340, 341, 342, 343, 344, 345, 346, 347,
    ]
}
