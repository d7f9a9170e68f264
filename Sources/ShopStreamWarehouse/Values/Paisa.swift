/// Money out of the warehouse, for exact arithmetic: decimal text as either engine prints a
/// NUMERIC (`1234.5`, `1234.500000000`, the emulator's `0E-9`) to integer paisa.
public enum Paisa {
    /// The paisa in `text`; nil for a non-number, a fraction of a paisa, or past 64 bits.
    public static func parse(_ text: String) -> Int64? {
        DecimalText(text)?.scaled(by: 2)
    }
}
