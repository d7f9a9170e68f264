import Foundation
import ShopStreamBus
import ShopStreamCore
import ShopStreamServer

/// `shopstream broker --http`'s fault control: HTTP requests under `/faults` that break the embedded
/// cluster on purpose while clients use it (tests, chaos drills). Each answer is plain text: what
/// was done, or why it was not (400, 404, 405).
enum FaultControl {
    /// The requests it takes; shown in `shopstream broker --help` and with every 404.
    static let usage = """
        GET  /faults[?format=json]
             what is in force now
        POST /faults/brokers/ID/down
             broker ID (1…N, or all) drops its connections, refuses new ones
        POST /faults/brokers/ID/up
             …takes connections again
        POST /faults/brokers/ID/rtt/DURATION
             …answers every request DURATION late (0s: on time again)
        POST /faults/leaders/move[?topic=T]
             every partition (of T) to the next broker that is up
        POST /faults/leaders/TOPIC/PARTITION/BROKER
             one partition's leader to BROKER
        POST /faults/coordinator/GROUP/BROKER
             consumer group GROUP's coordinator to BROKER
        POST /faults/errors/API/ERROR[,ERROR…][?count=N]
             the next N requests of type API (produce, fetch, offset-commit,
             heartbeat, …) to any broker fail with ERROR (a list: in turn)
        POST /faults/brokers/ID/errors/API/ERROR[,ERROR…][?count=N&rtt=DUR]
             the same on broker ID only (all: on each), answered DUR late;
             GET /faults counts what is left; requests use them up (clear
             does not remove them)
        POST /faults/topics/TOPIC/error/ERROR
             TOPIC's metadata carries ERROR (NO_ERROR ends it)
        POST /faults/clear
             every broker up and on time, no errors waiting on the cluster
        ERROR: librdkafka's name of a Kafka error or its number, e.g.
        NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT, TOPIC_AUTHORIZATION_FAILED,
        _TRANSPORT (the broker drops the connection).
        """

    static func control(for broker: EmbeddedBroker) -> Control {
        Control(prefix: "faults") { request in handle(request, broker: broker) }
    }

    static func handle(_ request: Control.Request, broker: EmbeddedBroker) -> Control.Response {
        let path = request.path
        if path.isEmpty {
            guard request.method == "GET" else {
                return Control.Response(405, "\(request.method) /faults: use GET to see the faults in force, POST /faults/… to change them")
            }
            return Control.Response(200, request.query["format"] == "json" ? broker.faults.json : broker.faults.description)
        }
        guard request.method == "POST" else {
            return Control.Response(
                405, "\(request.method) /faults/\(path.joined(separator: "/")): faults are changed with POST (GET /faults shows them)")
        }
        do {
            return Control.Response(200, try apply(path, query: request.query, broker: broker))
        } catch let error as FaultRequestError {
            return Control.Response(error.status, error.message)
        } catch let error as KafkaError {
            return Control.Response(400, error.message)
        } catch {
            return Control.Response(500, "\(error)")
        }
    }

    /// Does what the path asks; the sentence that says what was done.
    private static func apply(_ path: [String], query: [String: String], broker: EmbeddedBroker) throws -> String {
        switch (path[0], path.count) {
        case ("brokers", 3) where path[2] == "down" || path[2] == "up":
            let id = try brokerID(path[1], broker)
            try broker.setBroker(id, up: path[2] == "up")
            return "\(id.map { "broker \($0) is" } ?? "every broker is") \(path[2])"
        case ("brokers", 4) where path[2] == "rtt":
            let id = try brokerID(path[1], broker)
            guard let rtt = try? DurationArgument.parse(path[3]) else {
                throw FaultRequestError(400, "rtt \(path[3]): expected a duration such as 500ms, 3s or 1m")
            }
            try broker.setRoundTripTime(rtt, broker: id)
            let who = id.map { "broker \($0) answers" } ?? "every broker answers"
            return rtt == .zero ? "\(who) on time" : "\(who) \(path[3]) late"
        case ("leaders", 2) where path[1] == "move":
            let moved = try broker.moveLeaders(topic: query["topic"])
            return "moved the leader of \(moved.count) partitions to the next broker; now \(leadSummary(broker))"
        case ("leaders", 4):
            guard let partition = Int32(path[2]) else { throw FaultRequestError(400, "partition \(path[2]): expected a number") }
            guard let to = Int32(path[3]) else {
                throw FaultRequestError(400, "broker \(path[3]): expected a broker number, 1 to \(broker.brokerCount)")
            }
            try broker.setLeader(TopicPartition(path[1], partition), broker: to)
            return "broker \(to) leads \(path[1])[\(partition)]"
        case ("coordinator", 3):
            guard let to = Int32(path[2]) else {
                throw FaultRequestError(400, "broker \(path[2]): expected a broker number, 1 to \(broker.brokerCount)")
            }
            try broker.setCoordinator(group: path[1], broker: to)
            return "broker \(to) coordinates group \(path[1])"
        case ("errors", 3):
            let (api, errors) = try requestErrors(path[1], path[2], query: query)
            broker.pushRequestErrors(errors, api: api)
            return "the next \(errors.count) \(api.name) requests fail with \(Set(errors).map(\.name).sorted().joined(separator: ", "))"
        case ("brokers", 5) where path[2] == "errors":
            let id = try brokerID(path[1], broker)
            let (api, errors) = try requestErrors(path[3], path[4], query: query)
            guard let rtt = try? DurationArgument.parse(query["rtt"] ?? "0s") else {
                throw FaultRequestError(400, "rtt=\(query["rtt"] ?? ""): expected a duration such as 500ms, 3s or 1m")
            }
            try broker.pushRequestErrors(errors, api: api, broker: id, rtt: rtt)
            let late = rtt == .zero ? "" : ", answered \(query["rtt"]!) late"
            return
                "the next \(errors.count) \(api.name) requests to \(id.map { "broker \($0)" } ?? "each broker") fail with \(Set(errors).map(\.name).sorted().joined(separator: ", "))\(late)"
        case ("topics", 4) where path[2] == "error":
            let error = try errorCode(path[3])
            try broker.setTopicError(path[1], error)
            return error == .noError ? "\(path[1]) has no error in metadata" : "\(path[1]) carries \(error.name) in metadata"
        case ("clear", 1):
            try broker.clearFaults()
            return "every fault ended: brokers up and on time, no errors waiting"
        default:
            throw FaultRequestError(404, "/faults/\(path.joined(separator: "/")) is not a fault; the fault control takes:\n\(usage)")
        }
    }

    /// `API` and `ERROR[,ERROR…]` of an errors path, with `?count=N`: the errors to push, in order.
    private static func requestErrors(_ apiName: String, _ list: String, query: [String: String]) throws -> (KafkaAPI, [KafkaErrorCode]) {
        guard let api = KafkaAPI(name: apiName) else {
            throw FaultRequestError(
                400,
                "request type \(apiName) is unknown; use one of \(KafkaAPI.known.map(\.name).joined(separator: ", ")) (or its ApiKey number)"
            )
        }
        let errors = try list.split(separator: ",").map { try errorCode(String($0)) }
        guard !errors.isEmpty else { throw FaultRequestError(400, "no error named; e.g. /faults/errors/produce/NOT_LEADER_FOR_PARTITION") }
        let count = try number(query["count"] ?? "1", name: "count", range: 1...100_000)
        return (api, Array(repeating: errors, count: count).flatMap { $0 })
    }

    private static func brokerID(_ text: String, _ broker: EmbeddedBroker) throws -> Int32? {
        if text == "all" { return nil }
        guard let id = Int32(text), (1...Int32(broker.brokerCount)).contains(id) else {
            throw FaultRequestError(400, "broker \(text): this cluster has brokers 1 to \(broker.brokerCount) (or all)")
        }
        return id
    }

    private static func errorCode(_ text: String) throws -> KafkaErrorCode {
        guard let code = KafkaErrorCode(name: text) else {
            throw FaultRequestError(
                400,
                "error \(text) is not one librdkafka knows; use its name (NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT, TOPIC_AUTHORIZATION_FAILED, _TRANSPORT, …) or number"
            )
        }
        return code
    }

    private static func number(_ text: String, name: String, range: ClosedRange<Int>) throws -> Int {
        guard let n = Int(text), range.contains(n) else {
            throw FaultRequestError(400, "\(name)=\(text): expected \(range.lowerBound) to \(NumberText.grouped(range.upperBound))")
        }
        return n
    }

    private static func leadSummary(_ broker: EmbeddedBroker) -> String {
        let led = broker.faults.led
        return (1...Int32(broker.brokerCount)).map { "broker \($0) leads \(led[$0] ?? 0)" }.joined(separator: ", ")
    }
}

/// A fault request that cannot be done as asked: its HTTP status and why.
private struct FaultRequestError: Error {
    let status: Int
    let message: String
    init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }
}
