// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ShopStream",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "shopstream", targets: ["ShopStreamCLI"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The server ecosystem's own pieces for the long-running commands: structured logs, metrics
        // (exported for Prometheus), services with graceful shutdown, and the HTTP server.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Without its default traits: swift-configuration support is not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // C libraries, each behind one module map and shim header.
        .systemLibrary(
            name: "Crdkafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(
            name: "Ccurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "Czlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "Csqlite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The executable's memory allocator (see Sources/Cjemalloc/shim.h).
        .systemLibrary(
            name: "Cjemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]
        ),
        .systemLibrary(
            name: "Copenssl",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),

        // The data contract: entities, topic definitions, shared value types.
        .target(name: "ShopStreamCore"),
        // The event bus: librdkafka producer, consumer, admin and embedded broker.
        .target(name: "ShopStreamBus", dependencies: ["Crdkafka", "ShopStreamCore"]),
        // HTTP over libcurl with retries, and Google credentials (JWT signing via libcrypto).
        .target(name: "ShopStreamHTTP", dependencies: ["Ccurl", "Copenssl", "ShopStreamCore"]),
        // The bus on Google Cloud: Pub/Sub's REST API v1 over the same HTTP client (or its emulator).
        .target(name: "ShopStreamPubSub", dependencies: ["ShopStreamCore", "ShopStreamHTTP"]),
        // The bronze lake: Cloud Storage (JSON API) or a local folder, create-only objects.
        .target(name: "ShopStreamLake", dependencies: ["ShopStreamCore", "ShopStreamHTTP"]),
        // The warehouse: BigQuery REST v2 or an embedded SQLite file, one protocol.
        .target(name: "ShopStreamWarehouse", dependencies: ["ShopStreamCore", "ShopStreamHTTP", "Csqlite"]),
        // Silver's contract: JSON Schema validation, casting to typed rows, the table model and its
        // set-up in a warehouse (sql/silver/).
        .target(name: "ShopStreamSilver", dependencies: ["ShopStreamCore", "ShopStreamWarehouse"]),
        // Consumers that land the stream from Kafka or Pub/Sub: bronze (lake objects) and silver.
        .target(
            name: "ShopStreamSinks",
            dependencies: [
                "ShopStreamCore", "ShopStreamBus", "ShopStreamPubSub", "ShopStreamLake", "ShopStreamHTTP", "Czlib",
                "ShopStreamWarehouse", "ShopStreamSilver",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]),
        // Data checks in the spirit of dbt: unique, not_null, relationships, accepted_values,
        // freshness and reconciliation of Kafka, the lake and the warehouse.
        // Counts from Kafka and the lake are handed in as numbers, so it needs neither.
        .target(
            name: "ShopStreamQuality",
            dependencies: [
                "ShopStreamCore", "ShopStreamWarehouse", "ShopStreamSilver", "ShopStreamGold",
            ]),
        // The simulated retailer: pure, no I/O; it emits into any EventSink.
        .target(name: "ShopStreamGenerator", dependencies: ["ShopStreamCore"]),
        // Gold: the compactor that builds aggregates from silver (sql/gold/).
        .target(name: "ShopStreamGold", dependencies: ["ShopStreamCore", "ShopStreamWarehouse"]),
        // Long-running commands: services with a bounded graceful stop, health, metrics for Prometheus, logs.
        .target(
            name: "ShopStreamService",
            dependencies: [
                "ShopStreamCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        // The HTTP side of a long-running command: /metrics, /healthz, /readyz and the live dashboard (Hummingbird).
        .target(
            name: "ShopStreamServer",
            dependencies: [
                "ShopStreamCore", "ShopStreamService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The dashboard: one self-contained HTML page over gold.
        .target(name: "ShopStreamDashboard", dependencies: ["ShopStreamCore", "ShopStreamGold", "ShopStreamWarehouse"]),
        // The command line.
        .executableTarget(
            name: "ShopStreamCLI",
            dependencies: [
                "ShopStreamCore", "ShopStreamBus", "ShopStreamGenerator", "ShopStreamLake", "ShopStreamSinks",
                "ShopStreamWarehouse", "ShopStreamSilver", "ShopStreamGold", "ShopStreamQuality", "ShopStreamDashboard",
                "ShopStreamService", "ShopStreamServer", "ShopStreamPubSub", "Cjemalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Helpers shared by the test targets (processes, brokers, ports); never shipped.
        .target(
            name: "TestSupport",
            dependencies: ["ShopStreamBus", "ShopStreamCore", "ShopStreamHTTP", "ShopStreamLake", "ShopStreamWarehouse"],
            path: "Tests/TestSupport"),

        .testTarget(name: "BusTests", dependencies: ["ShopStreamBus", "ShopStreamCore", "TestSupport"]),
        .testTarget(name: "GeneratorTests", dependencies: ["ShopStreamGenerator", "ShopStreamCore"]),
        .testTarget(name: "HTTPTests", dependencies: ["ShopStreamCore", "ShopStreamHTTP"]),
        .testTarget(name: "LakeTests", dependencies: ["ShopStreamLake", "ShopStreamHTTP", "ShopStreamCore", "TestSupport"]),
        .testTarget(name: "SilverTests", dependencies: ["ShopStreamSilver", "ShopStreamCore", "ShopStreamWarehouse", "TestSupport"]),
        .testTarget(name: "WarehouseTests", dependencies: ["ShopStreamCore", "ShopStreamWarehouse", "ShopStreamHTTP", "TestSupport"]),
        .testTarget(
            name: "SinkTests",
            dependencies: [
                "ShopStreamSinks", "ShopStreamLake", "ShopStreamBus", "ShopStreamCore", "ShopStreamGenerator", "ShopStreamPubSub",
                "ShopStreamWarehouse", "ShopStreamSilver", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "BronzeTests", dependencies: ["ShopStreamLake", "ShopStreamHTTP", "ShopStreamBus", "ShopStreamCore", "TestSupport"]),
        .testTarget(
            name: "GoldTests",
            dependencies: [
                "ShopStreamGold", "ShopStreamDashboard", "ShopStreamWarehouse", "ShopStreamGenerator", "ShopStreamSinks", "ShopStreamCore",
                "TestSupport",
            ]),
        .testTarget(
            name: "QualityTests",
            dependencies: [
                "ShopStreamQuality", "ShopStreamWarehouse", "ShopStreamLake", "ShopStreamSilver", "ShopStreamCore", "TestSupport",
            ]),
        // The command line in process: its options to typed configuration, its service loops.
        .testTarget(
            name: "CLITests",
            dependencies: [
                "ShopStreamCLI", "ShopStreamBus", "ShopStreamCore", "ShopStreamGold", "ShopStreamHTTP", "ShopStreamService",
                "ShopStreamSinks", "ShopStreamWarehouse", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["ShopStreamGenerator", "ShopStreamBus", "ShopStreamCore", "ShopStreamPubSub", "ShopStreamHTTP", "TestSupport"]),
        // docker/: the compose stack rehearsed as processes on the local stand-ins, and its files checked.
        .testTarget(name: "DockerTests", dependencies: ["ShopStreamCore", "ShopStreamLake", "ShopStreamWarehouse", "TestSupport"]),
    ]
)
