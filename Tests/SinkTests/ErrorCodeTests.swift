import ShopStreamCore
import ShopStreamSinks
import XCTest

/// Every module's error type names its kinds of failure with `ErrorCode<Owner>`: a code equals
/// itself and no other, and says its name.
final class ErrorCodeTests: XCTestCase {
    func testACodeEqualsItselfAndNoOtherAndSaysItsName() {
        let error = SinkError(.storage, "bucket shop-lake: permission denied; grant storage.objects.create")
        XCTAssertEqual(error.code, .storage)
        XCTAssertNotEqual(error.code, .corrupt)
        XCTAssertEqual(Set([SinkError.Code.storage, .corrupt, .storage]).count, 2)
        XCTAssertEqual("\(SinkError.Code.invalidArgument)", "invalid argument")
        XCTAssertEqual(error.description, error.message)
    }
}
