import ArgumentParser
import XCTest

@testable import ShopStreamCLI

/// `--help` reads well at any terminal width: prose is written as paragraphs and wrapped by the
/// terminal's width, not broken by hand at some other width (which, re-wrapped at 80 columns,
/// leaves every other line a word or two long).
final class HelpTests: XCTestCase {
    func testEveryCommandsDiscussionIsWrappedToTheTerminalNotByHand() {
        for command in allCommands(ShopStreamCommand.self) {
            for columns in [80, 120] {
                let help = ShopStreamCommand.helpMessage(for: command, columns: columns)
                let lines = discussion(of: help).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for (line, next) in zip(lines, lines.dropFirst()) where isProse(line) && isProse(next) && !next.hasPrefix("- ") {
                    let word = next.prefix { $0 != " " }
                    // ArgumentParser keeps a line shorter than the width: a word that would end at the last column goes on.
                    XCTAssertGreaterThanOrEqual(
                        line.count + 1 + word.count, columns,
                        "\(command._commandName) --help at \(columns) columns breaks a line that could hold the next word:\n\(line)\n\(next)"
                    )
                }
            }
        }
    }

    func testEveryExampleFitsAnEightyColumnTerminal() {
        for command in allCommands(ShopStreamCommand.self) {
            let help = ShopStreamCommand.helpMessage(for: command, columns: 200)
            for line in discussion(of: help).split(separator: "\n") where line.hasPrefix("  ") {
                XCTAssertLessThanOrEqual(
                    line.count, 80, "\(command._commandName) --help: an indented line ArgumentParser would break:\n\(line)")
            }
        }
    }

    func testTheCommandListCoversEverySubcommand() {
        let names = allCommands(ShopStreamCommand.self).map { $0._commandName }
        for name in ["run", "generate", "bronze", "silver", "compact", "dashboard", "check", "verify", "apply", "broker"] {
            XCTAssertTrue(names.contains(name), "\(name) in \(names)")
        }
    }

    private func allCommands(_ root: ParsableCommand.Type) -> [ParsableCommand.Type] {
        [root] + root.configuration.subcommands.flatMap { allCommands($0) }
    }

    /// The text from the overview to the usage: the abstract (after its label) and the discussion.
    private func discussion(of help: String) -> Substring {
        guard let start = help.range(of: "OVERVIEW: "), let end = help.range(of: "\nUSAGE:") else { return help[...] }
        return help[start.lowerBound..<end.lowerBound]
    }

    /// A line of running text: not blank, not indented (examples and tables are), not a heading.
    private func isProse(_ line: String) -> Bool {
        guard let first = line.first, first != " " else { return false }
        return !line.hasSuffix(":")
    }
}
