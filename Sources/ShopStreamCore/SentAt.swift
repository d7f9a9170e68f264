#if canImport(Glibc)
    import Glibc
#endif

/// The `shopstream-sent-at` header: wall-clock milliseconds when a live generator
/// sent the event, for measuring event-to-row latency downstream.
public enum SentAt {
    public static let header = "shopstream-sent-at"

    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
