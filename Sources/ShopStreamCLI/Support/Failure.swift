import ArgumentParser
import Foundation
import ShopStreamBus
import ShopStreamCore

/// Runs a command body; a ShopStream error becomes one sentence on stderr and exit code 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch let error as KafkaError {
        fail(error.message)
    } catch let error as CommandFailure {
        fail(error.message)
    } catch let error as CustomStringConvertible {
        // CatalogError, LakeError, SinkError, HTTPError…: each describes itself in one sentence.
        fail(error.description)
    } catch {
        fail(error.localizedDescription)
    }
}

/// A failure a command reports in its own words.
struct CommandFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(Secrets.redact(message))\n".utf8))
    Foundation.exit(1)
}

/// Writes a line to stderr (progress and notes, so stdout stays data).
func note(_ message: String) {
    FileHandle.standardError.write(Data("\(Secrets.redact(message))\n".utf8))
}
