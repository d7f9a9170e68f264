import Crdkafka
import Foundation

/// A member of a consumer group (or, `.sole`, its only reader) that commits only what its caller
/// says is done.
///
/// Auto-commit and auto offset store are off: `commit` is the only way offsets
/// move. Rebalances are applied inside `poll` on the caller's thread, and the
/// caller's `onRebalance` runs first on a revoke, so it can finish or drop its
/// work for those partitions before they go. A sole reader is told of its one
/// assignment (every partition) inside its first `poll`, and of the revocation
/// of all of them at `close`, the same way.
///
/// Not thread-safe: one owner calls it.
public final class Consumer {
    public let configuration: ConsumerConfiguration
    public let topics: [String]
    /// Called on the polling thread when partitions are assigned or revoked.
    public var onRebalance: ((Rebalance) -> Void)? {
        get { context.handler }
        set { context.handler = newValue }
    }
    /// The partitions this member holds now.
    public var assignment: Set<TopicPartition> { context.assignment }
    /// Retriable errors brokers answered this consumer's fetches with (librdkafka fetches again after
    /// a back-off), by librdkafka's name, since it was made. `poll` does not throw them.
    public private(set) var retriedErrors: [String: Int] = [:]

    private let context: RebalanceContext
    private let client: RDKafkaClient
    private var closed = false
    private var observerClient: RDKafkaClient?
    /// A sole reader that has not taken its partitions yet (it does at its first poll).
    private var unassigned: Bool
    /// What `checkTopics` last learned: a sole reader takes its partitions from it rather than
    /// asking the cluster again at its first poll.
    private var checkedMetadata: ClusterMetadata?
    /// Topic and header names seen, reused instead of a new string per message: a consumer reads
    /// a few topics, and a producer sends the same few headers.
    private var topicNames = InternedNames()
    private var headerNames = InternedNames()

    public init(configuration: ConsumerConfiguration, topics: [String]) throws {
        guard !topics.isEmpty else { throw KafkaError(.invalidArgument, "a consumer needs at least one topic") }
        self.configuration = configuration
        self.topics = topics
        let context = RebalanceContext()
        self.context = context
        unassigned = configuration.membership == .sole
        client = try RDKafkaClient.make(.consumer, properties: configuration.rdkafkaProperties()) { conf in
            rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
            rd_kafka_conf_set_rebalance_cb(conf, shopstreamRebalance)
        }
        rd_kafka_poll_set_consumer(client.handle)
        guard configuration.membership == .group else { return }
        let list = makePartitionList(topics.map { (TopicPartition($0, RD_KAFKA_PARTITION_UA), nil) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_subscribe(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                .consumer, "could not subscribe to \(topics.joined(separator: ", ")): \(rdkafkaMessage(err))", rdkafkaCode: err.rawValue)
        }
    }

    deinit {
        if !closed { rd_kafka_consumer_close(client.handle) }
    }

    /// Proves the cluster answers and that every subscribed topic exists.
    @discardableResult
    public func checkTopics() throws -> ClusterMetadata {
        let md = try client.metadata(timeout: configuration.connection.connectTimeout, bootstrap: configuration.connection.bootstrapServers)
        for topic in topics where md.topics[topic] == nil {
            throw KafkaError(
                .topic,
                "topic \(topic) does not exist at \(configuration.connection.bootstrapServers); run `shopstream topics apply` first.")
        }
        checkedMetadata = md
        return md
    }

    /// The next message, or nil if none arrived within `timeout`.
    /// Throws on errors that need the caller's attention (e.g. an unknown topic);
    /// transient broker trouble is retried by librdkafka and not thrown.
    public func poll(timeout: Duration) throws -> ConsumedMessage? {
        if unassigned { try assignEveryPartition() }
        guard let msg = rd_kafka_consumer_poll(client.handle, Int32(timeout.milliseconds)) else {
            if let error = context.error { context.error = nil; throw error }
            return nil
        }
        defer { rd_kafka_message_destroy(msg) }
        let m = msg.pointee
        if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            switch m.err {
            case RD_KAFKA_RESP_ERR__PARTITION_EOF, RD_KAFKA_RESP_ERR__TRANSPORT,
                RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT:
                return nil
            case let err where KafkaErrorCode(rawValue: err.rawValue).isRetriable:
                // librdkafka hands some of these to the application though it fetches again itself
                // (a fetch answered REQUEST_TIMED_OUT): counted, never fatal.
                retriedErrors[KafkaErrorCode(rawValue: err.rawValue).name, default: 0] += 1
                return nil
            default:
                let location = m.rkt.map { " \(TopicPartition(String(cString: rd_kafka_topic_name($0)), m.partition))" } ?? ""
                throw KafkaError(
                    .consumer, "reading\(location) failed with an error retrying cannot fix: \(rdkafkaMessage(m.err))",
                    rdkafkaCode: m.err.rawValue)
            }
        }
        var result = ConsumedMessage(
            topic: topicNames.string(rd_kafka_topic_name(m.rkt)),
            partition: m.partition,
            offset: m.offset,
            key: m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) },
            value: m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? [],
            headers: [],
            timestampMs: nil)
        var tsType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(msg, &tsType)
        if tsType != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE { result.timestampMs = ts }
        var hdrs: OpaquePointer?
        if rd_kafka_message_headers(msg, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
            var i = 0
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            result.headers.reserveCapacity(rd_kafka_header_cnt(hdrs))
            while rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []
                result.headers.append(KafkaHeader(headerNames.string(name!), bytes))
                i += 1
            }
        }
        return result
    }

    /// A sole reader takes every partition of its topics, each from the group's committed offset
    /// (none: `autoOffsetReset`), and tells `onRebalance`, as a group's first assignment would.
    private func assignEveryPartition() throws {
        let md = try checkedMetadata ?? checkTopics()
        let all = topics.flatMap { topic in (0..<(md.topics[topic]?.partitions ?? 0)).map { TopicPartition(topic, Int32($0)) } }
        let list = makePartitionList(all.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_assign(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                .consumer, "could not take the partitions of \(topics.joined(separator: ", ")): \(rdkafkaMessage(err))",
                rdkafkaCode: err.rawValue)
        }
        unassigned = false
        context.assignment = Set(all)
        context.handler?(.assigned(all))
    }

    /// Commits, synchronously, the next offset to read for each partition
    /// (the offset of the last message done, plus one).
    public func commit(_ offsets: [TopicPartition: Int64]) throws {
        guard !offsets.isEmpty else { return }
        let list = makePartitionList(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_commit(client.handle, list, 0)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                .consumer,
                "committing offsets \(offsets.map { "\($0.key)@\($0.value)" }.sorted().joined(separator: ", ")) failed: \(rdkafkaMessage(err))",
                rdkafkaCode: err.rawValue)
        }
        for (tp, e) in readPartitionList(list).map({ ($0.0, $0.2) }) where e != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(.consumer, "committing \(tp) failed: \(rdkafkaMessage(e))", rdkafkaCode: e.rawValue)
        }
    }

    /// The committed offsets of the group for these partitions (nil: none committed).
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(10)) throws -> [TopicPartition: Int64?] {
        try Self.committed(partitions, client: client, groupId: configuration.groupId, timeout: timeout)
    }

    /// The committed offsets of `groupId` for these partitions (nil: none committed), read from
    /// outside the group: no subscription, so no member joins and nothing rebalances. A running
    /// sink's progress can be watched this way.
    public static func committed(
        _ partitions: [TopicPartition], groupId: String, connection: KafkaConnection, timeout: Duration = .seconds(10)
    ) throws -> [TopicPartition: Int64?] {
        var configuration = ConsumerConfiguration(connection: connection, groupId: groupId)
        configuration.clientId = "shopstream-offsets"
        let client = try RDKafkaClient.make(.consumer, properties: configuration.rdkafkaProperties())
        return try committed(partitions, client: client, groupId: groupId, timeout: timeout)
    }

    private static func committed(
        _ partitions: [TopicPartition], client: RDKafkaClient, groupId: String, timeout: Duration
    ) throws -> [TopicPartition: Int64?] {
        let list = makePartitionList(partitions.map { ($0, nil) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_committed(client.handle, list, Int32(timeout.milliseconds))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(
                .consumer, "reading the committed offsets of group \(groupId) failed: \(rdkafkaMessage(err))", rdkafkaCode: err.rawValue)
        }
        var result: [TopicPartition: Int64?] = [:]
        for (tp, offset, _) in readPartitionList(list) { result[tp] = offset >= 0 ? offset : nil }
        return result
    }

    /// Where this consumer will read next in each assigned partition.
    public func positions() throws -> [TopicPartition: Int64] {
        let parts = Array(assignment)
        guard !parts.isEmpty else { return [:] }
        let list = makePartitionList(parts.map { ($0, nil) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_position(client.handle, list)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.consumer, "reading positions failed: \(rdkafkaMessage(err))", rdkafkaCode: err.rawValue)
        }
        var result: [TopicPartition: Int64] = [:]
        for (tp, offset, _) in readPartitionList(list) where offset >= 0 { result[tp] = offset }
        return result
    }

    /// Low and high watermarks (first offset, next offset to be written) of a partition.
    public func watermarks(_ tp: TopicPartition, timeout: Duration = .seconds(10)) throws -> (low: Int64, high: Int64) {
        try Self.watermarks(tp, client: client, timeout: timeout)
    }

    private static func watermarks(_ tp: TopicPartition, client: RDKafkaClient, timeout: Duration) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(client.handle, tp.topic, tp.partition, &low, &high, Int32(timeout.milliseconds))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(.consumer, "reading watermarks of \(tp) failed: \(rdkafkaMessage(err))", rdkafkaCode: err.rawValue)
        }
        return (low, high)
    }

    /// The low and high watermarks librdkafka last learned for a partition from its fetches (no
    /// request to the broker); nil until it knows them.
    public func cachedWatermarks(_ tp: TopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1, high: Int64 = -1
        let err = rd_kafka_get_watermark_offsets(client.handle, tp.topic, tp.partition, &low, &high)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return (max(low, 0), high)
    }

    /// Whether this member has read every assigned partition up to the high watermark librdkafka
    /// learned from its last fetch of it (no request to the broker: a cheap check for a reader that
    /// polled nothing, which may lag what was published since). False while nothing is assigned
    /// or a partition's watermarks are not known yet.
    public func isCaughtUp() -> Bool {
        let held = assignment
        guard !held.isEmpty, let positions = try? positions() else { return false }
        return held.allSatisfy { isReadToItsCachedEnd($0, positions: positions) == true }
    }

    /// Whether `tp` is read up to the high watermark of its last fetch (`positions`: from
    /// `positions()`; a partition with none is read from its low watermark); nil while its
    /// watermarks are not known.
    public func isReadToItsCachedEnd(_ tp: TopicPartition, positions: [TopicPartition: Int64]) -> Bool? {
        guard let marks = cachedWatermarks(tp) else { return nil }
        return (positions[tp] ?? marks.low) >= marks.high
    }

    /// Whether this member has read everything its assigned partitions hold now: its position (or,
    /// before it read any, the group's committed offset) is at or past each partition's high
    /// watermark, asked of the broker (the cached one may be older than the last messages). False
    /// while nothing is assigned or the broker does not answer.
    public func hasReadToEnd(timeout: Duration = .seconds(2)) -> Bool {
        let held = Array(assignment)
        guard !held.isEmpty, let client = try? observer(), let left = try? backlog(of: held, client: client, timeout: timeout) else {
            return false
        }
        return left.isEmpty
    }
    /// What the whole group has left to read in its topics, by partition (only partitions with
    /// messages left): for a partition this member holds, from its position; for any other, from the
    /// group's committed offset. A partition still held by a member that died (its session not over
    /// yet) shows its uncommitted messages, so a run that ends when idle can wait for the group to
    /// hand it over instead of leaving it unread. Asked through a second handle outside the group
    /// (`observer`): requests on the member's own handle would queue behind its rebalance.
    public func groupBacklog(timeout: Duration = .seconds(2)) throws -> [TopicPartition: Int64] {
        let observer = try observer()
        let md = try observer.metadata(timeout: timeout, bootstrap: configuration.connection.bootstrapServers)
        var all: [TopicPartition] = []
        for topic in topics {
            guard let t = md.topics[topic] else {
                throw KafkaError(.topic, "topic \(topic) does not exist at \(configuration.connection.bootstrapServers)")
            }
            all += (0..<t.partitions).map { TopicPartition(topic, Int32($0)) }
        }
        return try backlog(of: all, client: observer, timeout: timeout)
    }

    /// Messages left in each of `partitions` that has any, asked of the broker through `client`. A
    /// held partition has a position once a message was read from it; before that (or when nothing
    /// followed the committed offset) it is where the group committed, as any other partition.
    private func backlog(of partitions: [TopicPartition], client: RDKafkaClient, timeout: Duration) throws -> [TopicPartition: Int64] {
        let positions = try positions()
        let unplaced = partitions.filter { positions[$0] == nil }
        let committed =
            unplaced.isEmpty ? [:] : try Self.committed(unplaced, client: client, groupId: configuration.groupId, timeout: timeout)
        var left: [TopicPartition: Int64] = [:]
        for tp in partitions {
            let marks = try Self.watermarks(tp, client: client, timeout: timeout)
            let next = positions[tp] ?? (committed[tp] ?? nil) ?? marks.low
            if next < marks.high { left[tp] = marks.high - next }
        }
        return left
    }

    /// A client of the same cluster that is not a member of the group, made on first use.
    private func observer() throws -> RDKafkaClient {
        if let observerClient { return observerClient }
        var c = configuration
        c.clientId = configuration.clientId + "-observer"
        let made = try RDKafkaClient.make(.consumer, properties: c.rdkafkaProperties())
        observerClient = made
        return made
    }

    /// The assigned partitions `pause` stopped fetching, until `resume` or their revocation.
    public var paused: Set<TopicPartition> { context.paused }

    /// Stops fetching these partitions (those assigned; others are ignored): `poll` returns none
    /// of their messages until `resume`. librdkafka drops what it prefetched of them and, on
    /// resume, fetches again from the first message `poll` has not returned: nothing is skipped
    /// or read twice. A paused partition that is revoked is resumed first, so that it comes back
    /// unpaused if the group gives it to this member again (librdkafka would keep it paused).
    public func pause(_ partitions: Set<TopicPartition>) throws {
        let chosen = partitions.intersection(assignment).subtracting(context.paused)
        guard !chosen.isEmpty else { return }
        try pauseOrResume(chosen, pause: true)
        context.paused.formUnion(chosen)
    }

    /// Fetches these paused partitions again, from where `poll` left them.
    public func resume(_ partitions: Set<TopicPartition>) throws {
        let chosen = partitions.intersection(context.paused)
        guard !chosen.isEmpty else { return }
        try pauseOrResume(chosen, pause: false)
        context.paused.subtract(chosen)
    }

    private func pauseOrResume(_ partitions: Set<TopicPartition>, pause: Bool) throws {
        let (err, failed) = setPaused(client.handle, partitions, pause: pause)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, failed.isEmpty else {
            let cause = failed.first.map { "\($0.0): \(rdkafkaMessage($0.1))" } ?? rdkafkaMessage(err)
            throw KafkaError(
                .consumer,
                "\(pause ? "pausing" : "resuming") \(partitions.sorted().map(\.description).joined(separator: ", ")) failed: \(cause)",
                rdkafkaCode: (failed.first?.1 ?? err).rawValue)
        }
    }

    /// Whether the partitions being revoked were lost rather than handed over: this member's session
    /// ended or its generation went stale (a zombie), so another member may read them already and
    /// the broker refuses this one's commits. Meaningful inside `onRebalance`.
    public var assignmentLost: Bool { rd_kafka_assignment_lost(client.handle) != 0 }

    /// Leaves the group cleanly (revoking partitions through `onRebalance`).
    public func close() {
        guard !closed else { return }
        closed = true
        if configuration.membership == .sole, !context.assignment.isEmpty {
            // No group to leave: librdkafka calls no rebalance callback for what was assigned directly.
            let held = Array(context.assignment)
            context.handler?(.revoked(held))
            context.assignment.removeAll()
            context.paused.removeAll()
        }
        rd_kafka_consumer_close(client.handle)
    }
}

/// State the rebalance callback reaches through librdkafka's opaque pointer; the
/// consumer owns it, so it outlives the handle.
final class RebalanceContext {
    var handler: ((Rebalance) -> Void)?
    var assignment: Set<TopicPartition> = []
    /// Assigned partitions paused by `Consumer.pause`.
    var paused: Set<TopicPartition> = []
    var error: KafkaError?

    /// Resumes the paused ones of `partitions` before they are revoked: librdkafka keeps a
    /// partition paused through a rebalance, and this member may be given it again.
    func resumeRevoked(_ rk: OpaquePointer, _ partitions: [TopicPartition]) {
        let stale = paused.intersection(partitions)
        guard !stale.isEmpty else { return }
        _ = setPaused(rk, stale, pause: false)
        paused.subtract(stale)
    }
}

/// Pauses or resumes `partitions` on `rk`: librdkafka's answer, and the partitions it refused.
private func setPaused(
    _ rk: OpaquePointer, _ partitions: Set<TopicPartition>, pause: Bool
) -> (rd_kafka_resp_err_t, [(TopicPartition, rd_kafka_resp_err_t)]) {
    let list = makePartitionList(partitions.sorted().map { ($0, nil) })
    defer { rd_kafka_topic_partition_list_destroy(list) }
    let err = pause ? rd_kafka_pause_partitions(rk, list) : rd_kafka_resume_partitions(rk, list)
    return (err, readPartitionList(list).filter { $0.2 != RD_KAFKA_RESP_ERR_NO_ERROR }.map { ($0.0, $0.2) })
}

/// librdkafka calls this from inside `rd_kafka_consumer_poll`, on the poller's thread.
private func shopstreamRebalance(
    _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk, let partitions, let opaque else { return }
    let context = Unmanaged<RebalanceContext>.fromOpaque(opaque).takeUnretainedValue()
    let tps = readPartitionList(partitions).map { $0.0 }
    let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
    switch err {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
        if cooperative {
            if let e = rd_kafka_incremental_assign(rk, partitions) {
                context.error = KafkaError(.consumer, "assign failed: \(consumeError(e).message)")
            }
        } else {
            rd_kafka_assign(rk, partitions)
        }
        context.assignment.formUnion(tps)
        context.handler?(.assigned(tps))
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
        context.handler?(.revoked(tps))
        context.resumeRevoked(rk, tps)
        if cooperative {
            if let e = rd_kafka_incremental_unassign(rk, partitions) {
                context.error = KafkaError(.consumer, "unassign failed: \(consumeError(e).message)")
            }
        } else {
            rd_kafka_assign(rk, nil)
        }
        context.assignment.subtract(tps)
    default:
        context.error = KafkaError(.consumer, "rebalance failed: \(rdkafkaMessage(err))", rdkafkaCode: err.rawValue)
        context.resumeRevoked(rk, Array(context.assignment))
        rd_kafka_assign(rk, nil)
        context.assignment.removeAll()
    }
}

/// Names read out of librdkafka as C strings, each made a `String` once: `string(_:)` gives back
/// the string made the first time the same bytes came (up to 16 names; past them, a new one each
/// time). Compared by their bytes, not by the pointer, which librdkafka may reuse.
struct InternedNames {
    private var names: [String] = []

    mutating func string(_ name: UnsafePointer<CChar>) -> String {
        let length = strlen(name)
        for known in names where known.utf8.count == length {
            let same = known.utf8.withContiguousStorageIfAvailable { bytes in
                length == 0 || memcmp(bytes.baseAddress!, name, length) == 0
            }
            if same == true { return known }
        }
        let new = String(cString: name)
        if names.count < 16 { names.append(new) }
        return new
    }
}
