import ShopStreamHTTP
import XCTest

/// One rule for project ids, whichever service is asked (BigQuery's warehouse URL, `--pubsub`).
final class GoogleProjectTests: XCTestCase {
    func testProjectIdsGoogleAcceptsPass() {
        for id in ["shopstream", "my-project-123", "example.com:my-project", "p"] {
            XCTAssertNil(GoogleProject.problem(id), id)
        }
    }

    func testEachBrokenRuleIsNamed() {
        XCTAssertEqual(GoogleProject.problem(""), "is empty")
        XCTAssertEqual(GoogleProject.problem("projects/shop"), "must be the project id alone, not a path (projects/…)")
        for id in ["My_Project", "shop stream", "shop_stream"] {
            XCTAssertEqual(
                GoogleProject.problem(id), "may contain only lowercase letters, digits, - (and a domain prefix with . and :)", id)
        }
    }
}
