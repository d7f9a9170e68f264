import Foundation
import TestSupport
import XCTest

/// The shopstream executable allocates through jemalloc: the dynamic linker binds malloc and free
/// of the Swift runtime, SQLite and librdkafka to jemalloc's, not glibc's, and `--version` says
/// which allocator it is.
final class MemoryAllocatorTests: XCTestCase {
    func testEveryLibrarysMallocAndFreeAreJemallocs() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["LD_DEBUG"] = "bindings"  // the dynamic linker says, on stderr, where each symbol went
        let result = try runProgram(try shopstreamBinary(), ["--version"], environment: environment)
        XCTAssertEqual(result.status, 0, result.stderr.suffix(2_000).description)
        XCTAssertTrue(result.stdout.contains("memory allocator: jemalloc 5."), result.stdout)
        let bindings = result.stderr.split(separator: "\n").filter { $0.contains("binding file ") }
        for library in ["libswiftCore.so", "libsqlite3.so", "librdkafka.so"] {
            for symbol in ["malloc", "free"] {
                let lines = bindings.filter { line in
                    let sides = line.components(separatedBy: " to ")
                    return sides.count == 2 && sides[0].contains(library) && sides[1].contains("symbol `\(symbol)'")
                }
                XCTAssertFalse(lines.isEmpty, "the dynamic linker bound \(library)'s \(symbol)")
                for line in lines {
                    XCTAssertTrue(
                        line.components(separatedBy: " to ")[1].contains("libjemalloc.so"),
                        "\(library)'s \(symbol) went to glibc's, not jemalloc's: \(line)")
                }
            }
        }
    }
}
