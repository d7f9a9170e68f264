import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import ShopStreamBus
import ShopStreamCore
import ShopStreamServer
import ShopStreamService

extension ShopStreamCommand {
    struct Broker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve an embedded Kafka-protocol broker until stopped (Ctrl-C).",
            discussion: """
                librdkafka's mock cluster, on loopback TCP, with the topics of topics/ already \
                created at their partition counts. Any Kafka client can use it:

                  shopstream broker &                       # prints its bootstrap address
                  shopstream generate --brokers localhost:9092 --days 7
                  kcat -b localhost:9092 -C -t shop.sales -e

                Messages live in memory and are gone when the broker stops. The bootstrap \
                port forwards to the cluster's own listeners, whose addresses clients learn \
                from metadata; all of them are on 127.0.0.1. Brokers are numbered 1 to N; the \
                leaders of each topic's partitions are spread over them.

                Faults, for tests and chaos drills: with --http the status server also takes \
                requests under /faults that break the cluster while clients use it:

                \(FaultControl.usage.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

                Examples:
                  shopstream broker --brokers 3 --http 127.0.0.1:9644 &
                  curl -X POST localhost:9644/faults/brokers/2/down; sleep 10
                  curl -X POST localhost:9644/faults/brokers/2/up
                  curl -X POST localhost:9644/faults/leaders/move
                  curl -X POST 'localhost:9644/faults/errors/fetch/REQUEST_TIMED_OUT?count=50'
                  curl -X POST localhost:9644/faults/brokers/all/rtt/5s    # past timeouts
                  curl -X POST localhost:9644/faults/coordinator/shopstream-silver/3
                  curl -X POST localhost:9644/faults/clear
                  curl localhost:9644/faults

                Anyone who reaches the --http address can break the cluster: keep it on \
                127.0.0.1 unless a drill needs more.

                Unlike Kafka, the mock checks an idempotent producer's sequence numbers only \
                for transactional producers. A leader moved while a producer has a batch in \
                flight to the old one can therefore lose that batch although it was \
                acknowledged; the producer says so with -X debug=eos ("implicitly acked by \
                subsequent batch success"). Kafka would refuse the later batch instead.
                """)

        @Option(help: "Bootstrap port to listen on (0: only the cluster's own random ports).")
        var port: Int = 9092

        @Option(help: "Number of brokers in the cluster (1–16), numbered from 1.")
        var brokers: Int = 1

        @Option(help: ArgumentHelp("Folder of topic definitions. Default: ./topics, else the source checkout's.", valueName: "dir"))
        var topics: String?

        @OptionGroup(title: "Service") var service: ServiceOptions

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port \(port): expected 0 to 65535") }
            guard (1...16).contains(brokers) else {
                throw ValidationError("--brokers \(brokers): the embedded cluster takes 1 to 16 brokers")
            }
        }

        func run() throws {
            service.bootstrap()
            let logger = Logger(label: "shopstream.broker")
            try reportingErrors {
                let catalog = try TopicCatalog.load(directory: topics.map { URL(fileURLWithPath: $0) } ?? TopicCatalog.defaultDirectory())
                let broker = try EmbeddedBroker(brokerCount: brokers, topics: catalog.definitions)
                var forwarder: TCPForwarder?
                var bootstrap = broker.bootstrapServers
                if port != 0 {
                    let first = broker.bootstrapServers.split(separator: ",")[0]
                    let targetPort = Int(first.split(separator: ":").last!)!
                    forwarder = try TCPForwarder(listenPort: port, targetPort: targetPort)
                    bootstrap = "127.0.0.1:\(port)"
                }
                // Written unbuffered: scripts wait for the first line to learn the address.
                FileHandle.standardOutput.write(
                    Data(
                        """
                        bootstrap: \(bootstrap)
                        listeners: \(broker.bootstrapServers)
                        topics:    \(catalog.definitions.map { "\($0.name)(\($0.partitions))" }.joined(separator: " "))

                        """.utf8))
                logger.info("serving \(brokers) broker\(brokers == 1 ? "" : "s"); Ctrl-C to stop")
                let health = Health()
                let probe = health.probe("broker")
                var services: [any Service] = []
                if let address = service.http?.value {
                    services.append(
                        StatusServer(
                            host: address.host, port: address.port, health: health,
                            control: FaultControl.control(for: broker)
                        ).service())
                }
                services.append(
                    BlockingService("broker") { stop in
                        probe.ready(true)
                        var reported: [TopicPartition: Int64] = [:]
                        var lastCheck = ContinuousClock.now
                        while !stop.isRequested {
                            probe.beat()
                            Thread.sleep(forTimeInterval: 0.2)
                            // The mock cluster deletes a partition's oldest events past its size,
                            // without a word: say so, once per partition and whenever it grows.
                            guard ContinuousClock.now - lastCheck >= .seconds(2) else { continue }
                            lastCheck = .now
                            for (tp, n) in ((try? broker.droppedMessages()) ?? [:]).sorted(by: { $0.key < $1.key })
                            where n > reported[tp] ?? 0 {
                                reported[tp] = n
                                logger.error(
                                    "\(tp): the embedded broker deleted its oldest \(NumberText.grouped(n)) events (librdkafka's mock cluster keeps \(EmbeddedBroker.partitionCapacityBytes / 1_048_576) MiB a partition); readers that had not read them never will: publish less, or use a real Kafka cluster"
                                )
                            }
                        }
                        probe.finished()
                    })
                try withExtendedLifetime(broker) { try service.runner.run(services) }
                forwarder?.stop()
                logger.info("broker stopped")
            }
        }
    }
}
