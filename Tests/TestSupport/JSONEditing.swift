import Foundation

// Editing events as text, so number text stays exactly as written (a round trip through
// JSONSerialization would turn 2299.00 into 2299 and 0.1 into whatever a Double prints).

/// The sample with one member's raw JSON value replaced (`"0"`, `"\"x\""`,
/// `"null"`), removed (`nil`), or added at the end when absent.
public func with(_ json: String, _ field: String, _ raw: String?) -> String {
    let key = "\"\(field)\":"
    guard let keyRange = json.range(of: key) else {
        guard let raw else { return json }
        return String(json.dropLast()) + ",\(key)\(raw)}"
    }
    // The end of the value: past a string, or to the `,` or `}` at this depth.
    var end = keyRange.upperBound
    var depth = 0
    var inString = false
    while true {
        let c = json[end]
        if inString {
            if c == "\\" { end = json.index(after: end) } else if c == "\"" { inString = false }
        } else if c == "\"" {
            inString = true
        } else if c == "[" || c == "{" {
            depth += 1
        } else if c == "]" || c == "}" {
            if depth == 0 { break }
            depth -= 1
        } else if c == ",", depth == 0 {
            break
        }
        end = json.index(after: end)
    }
    guard let raw else {
        // Remove the member and one neighbouring comma.
        if json[end] == "," { return String(json[..<keyRange.lowerBound] + json[json.index(after: end)...]) }
        let comma = json.index(before: keyRange.lowerBound)
        return String(json[..<comma] + json[end...])
    }
    return String(json[..<keyRange.upperBound]) + raw + String(json[end...])
}
