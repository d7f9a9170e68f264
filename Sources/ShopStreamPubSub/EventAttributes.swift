/// The attributes a ShopStream event carries on Pub/Sub, where Kafka has a record timestamp and
/// headers. The entity key travels as the ordering key.
public enum EventAttributes {
    /// The event's business time, milliseconds since the epoch (Kafka's record timestamp).
    public static let eventTimeMs = "shopstream-event-time-ms"
}
