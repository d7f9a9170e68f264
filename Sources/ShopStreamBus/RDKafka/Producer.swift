import Crdkafka
import ShopStreamCore

/// Publishes messages with keys, headers and timestamps.
///
/// Delivery reports are read by polling librdkafka's event queue (no C callbacks):
/// every failed delivery is counted and kept, and `flush` throws if any message
/// was lost. When librdkafka's queue is full, `send` serves delivery reports until
/// there is room again (back-pressure instead of an error).
///
/// Not thread-safe: one owner calls it.
public final class Producer {
    /// Counts since the producer was made.
    public struct Statistics: Sendable, Equatable {
        public var sent = 0
        public var delivered = 0
        public var failed = 0
        /// Times `send` had to wait for room in librdkafka's queue.
        public var backPressureWaits = 0
        public var inFlight: Int { sent - delivered - failed }
    }

    public let configuration: ProducerConfiguration
    public private(set) var statistics = Statistics()
    /// The first failed deliveries (at most 20), for reporting.
    public private(set) var failures: [KafkaError] = []

    private let client: RDKafkaClient
    private let events: OpaquePointer
    private var topicHandles: [String: OpaquePointer] = [:]
    private var sinceLastPoll = 0

    public init(configuration: ProducerConfiguration) throws {
        self.configuration = configuration
        client = try RDKafkaClient.make(.producer, properties: configuration.rdkafkaProperties()) { conf in
            rd_kafka_conf_set_events(conf, Int32(RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR))
        }
        events = rd_kafka_queue_get_main(client.handle)
    }

    deinit {
        for (_, rkt) in topicHandles { rd_kafka_topic_destroy(rkt) }
        rd_kafka_queue_destroy(events)
        // `client` is released after this, destroying rd_kafka_t last.
    }

    /// The properties librdkafka actually runs this producer with (see `ProducerConfiguration`);
    /// for tests, which reach it with `@testable import`.
    var effectiveProperties: (global: [String: String], topic: [String: String]) { client.effectiveProperties() }

    /// Proves the cluster answers, within the connection's timeout.
    @discardableResult
    public func checkConnection() throws -> ClusterMetadata {
        try client.metadata(timeout: configuration.connection.connectTimeout, bootstrap: configuration.connection.bootstrapServers)
    }

    /// Queues one message. Throws only if it cannot be queued; delivery is
    /// reported later (see `flush`).
    public func send(
        topic: String,
        key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer,
        headers: [KafkaHeader] = [],
        timestampMs: Int64? = nil,
        partition: Int32? = nil
    ) throws {
        let rkt = try topicHandle(topic)
        var hdrs: OpaquePointer?
        if !headers.isEmpty {
            hdrs = rd_kafka_headers_new(headers.count)
            for h in headers {
                h.value.withUnsafeBytes { _ = rd_kafka_header_add(hdrs, h.name, -1, $0.baseAddress, $0.count) }
            }
        }
        try withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { vus in
            var n = 0
            func add(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                var vu = rd_kafka_vu_t()
                vu.vtype = type
                set(&vu)
                vus.initializeElement(at: n, to: vu)
                n += 1
            }
            add(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = rkt }
            add(RD_KAFKA_VTYPE_VALUE) {
                $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress); $0.u.mem.size = value.count
            }
            add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
            if let key {
                add(RD_KAFKA_VTYPE_KEY) {
                    $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress); $0.u.mem.size = key.count
                }
            }
            if let timestampMs { add(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestampMs } }
            if let partition { add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition } }
            if let hdrs { add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = hdrs } }
            while true {
                guard let error = rd_kafka_produceva(client.handle, vus.baseAddress, n) else { break }
                let (code, message) = consumeError(error)
                if code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                    statistics.backPressureWaits += 1
                    servePolls(timeoutMs: 10)
                    continue
                }
                // Headers are ours again when produce fails.
                if let hdrs { rd_kafka_headers_destroy(hdrs) }
                throw KafkaError(.delivery, "could not queue a message for \(topic): \(message)", rdkafkaCode: code.rawValue)
            }
        }
        statistics.sent += 1
        sinceLastPoll += 1
        if sinceLastPoll >= 1000 { servePolls(timeoutMs: 0) }
    }

    /// Convenience for byte arrays.
    public func send(
        topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = [], timestampMs: Int64? = nil, partition: Int32? = nil
    ) throws {
        try value.withUnsafeBytes { v in
            if let key {
                try key.withUnsafeBytes { k in
                    try send(topic: topic, key: k, value: v, headers: headers, timestampMs: timestampMs, partition: partition)
                }
            } else {
                try send(topic: topic, key: nil, value: v, headers: headers, timestampMs: timestampMs, partition: partition)
            }
        }
    }

    /// Serves delivery reports that are ready, waiting at most `timeoutMs` for the first.
    public func poll(timeout: Duration = .zero) { servePolls(timeoutMs: timeout.milliseconds) }

    /// Waits until every queued message is delivered or failed. Throws if any
    /// delivery failed since the producer was made, or if messages are still in
    /// flight when the timeout runs out, or (`.stopped`) as soon as `stop` asks `.abandon`
    /// while some are: those may or may not reach the cluster.
    public func flush(timeout: Duration = .seconds(60), abandoningOn stop: StopSignal? = nil) throws {
        let deadline = ContinuousClock.now + timeout
        while statistics.inFlight > 0 && ContinuousClock.now < deadline {
            if let stop, stop.request >= .abandon {
                let n = statistics.inFlight
                throw KafkaError(
                    .stopped,
                    "stopped while waiting for the cluster at \(configuration.connection.bootstrapServers) to take \(n == 1 ? "1 message" : "\(n) messages") (the stop's deadline passed); it may or may not have reached it"
                )
            }
            servePolls(timeoutMs: 50)
        }
        try throwIfFailed()
        if statistics.inFlight > 0 {
            throw KafkaError(
                .delivery,
                "\(statistics.inFlight) messages were still undelivered after \(timeout.milliseconds / 1000)s; is the cluster at \(configuration.connection.bootstrapServers) up?"
            )
        }
    }

    /// Throws the first delivery failure, if any happened.
    public func throwIfFailed() throws {
        guard statistics.failed > 0, let first = failures.first else { return }
        throw KafkaError(
            .delivery, "\(statistics.failed) of \(statistics.sent) messages were not delivered; first: \(first.message)",
            rdkafkaCode: first.rdkafkaCode)
    }

    private func topicHandle(_ topic: String) throws -> OpaquePointer {
        if let rkt = topicHandles[topic] { return rkt }
        guard let rkt = rd_kafka_topic_new(client.handle, topic, nil) else {
            throw KafkaError(.topic, "could not open topic \(topic): \(rdkafkaMessage(rd_kafka_last_error()))")
        }
        topicHandles[topic] = rkt
        return rkt
    }

    private func servePolls(timeoutMs: Int) {
        sinceLastPoll = 0
        var wait = Int32(timeoutMs)
        while let event = rd_kafka_queue_poll(events, wait) {
            wait = 0
            defer { rd_kafka_event_destroy(event) }
            switch Int32(rd_kafka_event_type(event)) {
            case Int32(RD_KAFKA_EVENT_DR):
                while let msg = rd_kafka_event_message_next(event) {
                    if msg.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                        statistics.delivered += 1
                    } else {
                        statistics.failed += 1
                        if failures.count < 20 {
                            let topic = String(cString: rd_kafka_topic_name(msg.pointee.rkt))
                            failures.append(
                                KafkaError(
                                    .delivery,
                                    "delivery to \(topic) failed: \(rdkafkaMessage(msg.pointee.err))",
                                    rdkafkaCode: msg.pointee.err.rawValue))
                        }
                    }
                }
            case Int32(RD_KAFKA_EVENT_ERROR):
                // Fatal errors (e.g. idempotence broken) fail every later message;
                // transient ones are retried by librdkafka itself.
                if rd_kafka_event_error_is_fatal(event) != 0 && failures.count < 20 {
                    failures.append(KafkaError(.delivery, "fatal producer error: \(String(cString: rd_kafka_event_error_string(event)))"))
                }
            default:
                break
            }
        }
    }
}

extension Producer: EventSink {
    /// Publishes a generated event to its entity's topic, keyed, with its business time.
    public func emit(_ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64) throws -> Bool {
        try send(topic: entity.topic, key: key, value: value, timestampMs: timestampMs)
        return true
    }
}
