import ShopStreamBus
import ShopStreamCore
import ShopStreamPubSub

/// Publishes to Pub/Sub: the entity key as ordering key (so a key's events keep their order), the
/// event time and the ShopStream headers as attributes, the value as the message's data.
struct PubSubEventSink: BusSink {
    let publisher: PubSubPublisher
    var book: SinkBookkeeping

    init(publisher: PubSubPublisher, limit: Int?, shutdown: StopSignal, progress: Progress, follower: ClockFollower?) {
        self.publisher = publisher
        book = SinkBookkeeping(limit: limit, shutdown: shutdown, progress: progress, follower: follower)
    }

    mutating func publish(
        _ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, headers: [KafkaHeader], timestampMs: Int64
    )
        throws
    {
        try publisher.publish(topic: entity.topic, .event(key: key, value: value, timestampMs: timestampMs, headers: headers))
        try publisher.throwIfFailed()
    }
}

extension OutgoingMessage {
    /// An event as published: the entity key as ordering key, the event time and `headers` as attributes.
    static func event(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64, headers: [KafkaHeader] = [])
        -> OutgoingMessage
    {
        var attributes = [EventAttributes.eventTimeMs: String(timestampMs)]
        for header in headers { attributes[header.name] = String(decoding: header.value, as: UTF8.self) }
        return OutgoingMessage(data: Array(value), attributes: attributes, orderingKey: String(decoding: key, as: UTF8.self))
    }
}
