import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One GET, as a scraper or a browser makes it: status and body, or nil if nothing answered.
public func httpGet(_ url: String, timeout: TimeInterval = 10) -> (status: Int, body: String)? {
    httpRequest("GET", url, timeout: timeout)
}

/// One request without a body (`POST` to a control endpoint): status and body, or nil if nothing answered.
public func httpRequest(_ method: String, _ url: String, timeout: TimeInterval = 10) -> (status: Int, body: String)? {
    let done = DispatchSemaphore(value: 0)
    let box = ResponseBox()
    var request = URLRequest(url: URL(string: url)!, timeoutInterval: timeout)
    request.httpMethod = method
    request.cachePolicy = .reloadIgnoringLocalCacheData
    let task = URLSession.shared.dataTask(with: request) { data, response, _ in
        if let http = response as? HTTPURLResponse {
            box.value = (http.statusCode, String(decoding: data ?? Data(), as: UTF8.self))
        }
        done.signal()
    }
    task.resume()
    done.wait()
    return box.value
}

/// Written by the session's callback before the semaphore is signalled, read after.
private final class ResponseBox: @unchecked Sendable { var value: (Int, String)? }

/// Polls `condition` every 100 ms until it holds or `timeout` passes; whether it held. Generous
/// deadlines, so a loaded machine only makes a test slower, never wrong.
@discardableResult
public func eventually(timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.1)
    }
    return try condition()
}

/// Samples of the Prometheus text format: `name{labels} value` lines.
public struct PrometheusSamples {
    public struct Sample { public var name: String; public var labels: [String: String]; public var value: Double }
    public var samples: [Sample] = []

    public init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            var labels: [String: String] = [:]
            var name = String(series)
            if let open = series.firstIndex(of: "{"), series.hasSuffix("}") {
                name = String(series[..<open])
                let body = series[series.index(after: open)..<series.index(before: series.endIndex)]
                // label="value" pairs; values here never hold a quote or a comma.
                for pair in body.split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 {
                        labels[String(parts[0])] = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    }
                }
            }
            samples.append(Sample(name: name, labels: labels, value: value))
        }
    }

    /// The sum of a metric's samples whose labels include `matching`.
    public func sum(_ name: String, _ matching: [String: String] = [:]) -> Double {
        samples.filter { sample in sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value } }.reduce(0) {
            $0 + $1.value
        }
    }

    public func has(_ name: String) -> Bool { samples.contains { $0.name == name } }
}
