import Foundation
import TestSupport
import XCTest

/// What can be proved about docker/ without a Docker engine: the files are valid for the tools
/// that read them, and the images install what the build and the tests need.
final class DockerFilesTests: XCTestCase {
    func testTheComposeFileIsValidAgainstTheComposeSpecification() throws {
        // Debian's docker-compose 1.29 is too old to judge (it rejects the top-level `name:`).
        let r = try runProgram(
            try venvTool("check-jsonschema"),
            ["--verbose", "--builtin-schema", "vendor.compose-spec", dockerDirectory.appendingPathComponent("compose.yaml").path])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    }

    func testThePrometheusConfigurationIsValidForPrometheus() throws {
        let r = try runProgram(
            try requiredTool("promtool"), ["check", "config", dockerDirectory.appendingPathComponent("prometheus.yml").path])
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
    }

    func testTheImageInstallsExactlyTheDevPackagesOfPackageSwiftAndTheirLibraries() throws {
        let manifest = try String(contentsOf: repositoryRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        let needed = Set(Self.quoted(in: manifest, after: ".apt(["))
        XCTAssertTrue(needed.contains("zlib1g-dev") && needed.contains("libssl-dev"), "Package.swift's providers: \(needed.sorted())")
        let stages = try Self.stages(of: dockerDirectory.appendingPathComponent("Dockerfile"))
        XCTAssertEqual(stages.count, 2, "a build stage and a runtime stage")
        guard stages.count == 2 else { return }
        let build = Self.aptInstalled(in: stages[0]), runtime = Self.aptInstalled(in: stages[1])
        XCTAssertEqual(
            Set(build.filter { $0.hasSuffix("-dev") }), needed, "the build stage installs exactly the -dev packages Package.swift names")
        XCTAssertTrue(build.contains("pkg-config"), "pkg-config finds them")
        // Each -dev package's library is the package of the same build it depends on, `(= version)`.
        let dpkgQuery = try requiredTool("dpkg-query")
        for dev in needed.sorted() {
            let r = try runProgram(dpkgQuery, ["-W", "-f=${Depends}", dev])
            XCTAssertEqual(r.status, 0, "\(dev) is installed here (scripts/setup): \(r.stderr)")
            let libraries = r.stdout.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { $0.contains("(= ") }.map { String($0.split(separator: " ")[0]) }
            XCTAssertFalse(
                Set(libraries).isDisjoint(with: runtime), "the runtime stage installs \(dev)'s library (one of \(libraries)): \(runtime)")
        }
        XCTAssertTrue(runtime.contains("curl"), "the healthchecks' client is in the runtime image")
    }

    func testTheImagesSwiftCanBuildEveryDependency() throws {
        // Each package needs the lowest tools version among its manifests (Package@swift-N.swift serves toolchains from N).
        let checkouts = repositoryRoot.appendingPathComponent(".build/checkouts")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkouts.path)) ?? []
        guard !names.isEmpty else { throw missingStandIn("no dependencies in \(checkouts.path); run `swift build` first") }
        var needed: [(package: String, version: [Int])] = [
            ("ShopStream", try Self.toolsVersion(of: repositoryRoot.appendingPathComponent("Package.swift")))
        ]
        for name in names.sorted() {
            let folder = checkouts.appendingPathComponent(name)
            let manifests = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
                $0.hasPrefix("Package") && $0.hasSuffix(".swift")
            }
            let versions = try manifests.map { file -> [Int] in
                let tools = try Self.toolsVersion(of: folder.appendingPathComponent(file))
                let from =
                    file.split(separator: "@swift-").dropFirst().first.map { Self.version(String($0.dropLast(".swift".count))) } ?? []
                return [tools, from].max { $0.lexicographicallyPrecedes($1) }!
            }
            if let lowest = versions.min(by: { $0.lexicographicallyPrecedes($1) }) { needed.append((name, lowest)) }
        }
        let highest = needed.max { $0.version.lexicographicallyPrecedes($1.version) }!
        let dockerfile = try String(contentsOf: dockerDirectory.appendingPathComponent("Dockerfile"), encoding: .utf8)
        let images = dockerfile.split(separator: "\n").filter { $0.hasPrefix("FROM swift:") }
            .map { String($0.dropFirst("FROM swift:".count).split(separator: " ")[0]) }
        XCTAssertEqual(images.count, 2, "build and runtime are official swift images")
        for tag in images {
            let version = Self.version(String(tag.split(separator: "-")[0]))
            XCTAssertFalse(
                version.lexicographicallyPrecedes(highest.version),
                "swift:\(tag) is older than Swift \(highest.version.map(String.init).joined(separator: ".")), which \(highest.package) needs"
            )
        }
        XCTAssertEqual(
            Set(images.map { $0.replacingOccurrences(of: "-slim", with: "") }).count, 1, "one Swift for building and running: \(images)")
    }

    func testTheBigQueryImageInstallsWhatTheTestsRunAgainst() throws {
        let script = try String(contentsOf: repositoryRoot.appendingPathComponent("scripts/emulators"), encoding: .utf8)
        let pins =
            script.split(separator: "\n").first { $0.hasPrefix("BQ_PINS=(") }
            .map { $0.dropFirst("BQ_PINS=(".count).prefix { $0 != ")" }.split(separator: " ").map(String.init) } ?? []
        XCTAssertFalse(pins.isEmpty, "scripts/emulators pins bqemulator's versions")
        let dockerfile = try String(contentsOf: dockerDirectory.appendingPathComponent("bigquery.Dockerfile"), encoding: .utf8)
        let installed = dockerfile.split(separator: "\n").filter { $0.contains("pip install") }
            .flatMap {
                $0.components(separatedBy: "pip install").last!.split(separator: " ").map(String.init).filter { !$0.hasPrefix("-") }
            }
        XCTAssertEqual(Set(installed), Set(pins), "docker/bigquery.Dockerfile installs scripts/emulators' pins")
    }

    // MARK: - Reading the files

    /// The quoted strings inside each `marker…]` of `text` (e.g. `.apt(["a", "b"])`).
    static func quoted(in text: String, after marker: String) -> [String] {
        text.components(separatedBy: marker).dropFirst().flatMap { part -> [String] in
            let list = part.prefix { $0 != "]" }
            return list.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map {
                String($0.element)
            }
        }
    }

    /// A Dockerfile's stages, each as its logical lines (continuations joined).
    static func stages(of file: URL) throws -> [[String]] {
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "\\\n", with: " ")
        var stages: [[String]] = []
        for line in text.split(separator: "\n").map(String.init) where !line.hasPrefix("#") {
            if line.hasPrefix("FROM ") { stages.append([]) }
            if !stages.isEmpty { stages[stages.count - 1].append(line) }
        }
        return stages
    }

    /// The packages a stage's `apt-get install` commands name.
    static func aptInstalled(in stage: [String]) -> [String] {
        stage.filter { $0.hasPrefix("RUN ") }.flatMap { line in
            line.components(separatedBy: "&&").filter { $0.contains("apt-get install") }.flatMap { command in
                command.components(separatedBy: "apt-get install").last!.split(separator: " ").map(String.init).filter {
                    !$0.hasPrefix("-")
                }
            }
        }
    }

    static func toolsVersion(of manifest: URL) throws -> [Int] {
        let first = try String(contentsOf: manifest, encoding: .utf8).prefix { $0 != "\n" }
        guard let range = first.range(of: "swift-tools-version:") else { return [] }
        return version(first[range.upperBound...].trimmingCharacters(in: .whitespaces))
    }

    /// `6.2` as [6, 2, 0], so versions compare element by element.
    static func version(_ text: String) -> [Int] {
        let parts = text.split(separator: ".").compactMap { Int($0) }
        return parts + Array(repeating: 0, count: max(0, 3 - parts.count))
    }
}
