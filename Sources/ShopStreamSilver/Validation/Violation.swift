/// One reason an event cannot enter silver: which field, which rule, which value.
///
/// `description` is the sentence for a person and the dead-letter reason:
/// `quantity: 0 is below the minimum 1`, `customer_id: missing (required)`,
/// `(root): not valid UTF-8 (byte 12)`.
public struct Violation: Sendable, Hashable, CustomStringConvertible {
    /// The rule broken: a JSON Schema keyword, or one of silver's own checks.
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        /// The message is larger than the validator's limit (checked before parsing).
        case size
        /// The bytes are not UTF-8.
        case utf8
        /// The text is not one JSON document.
        case json
        case type, required, additionalProperties
        case enumeration = "enum"
        case constant = "const"
        case minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf
        case minLength, maxLength, pattern, format, minItems, maxItems
        /// Valid JSON Schema, but not storable in the column (an integer beyond INT64, nanoseconds).
        case cast
        /// A sane-range rule (`SanityRules`): a time too far in the past or future, an absurd amount.
        case range
        /// A rule across fields (`SanityRules`): a total that does not add up, a delivery before shipping.
        case consistency
        /// A control character in a text field (`SanityRules`), e.g. U+0000.
        case control
        /// The record key is not the value's key field (`EventValidator.checkRecord`).
        case key
        /// A header says something false about the record (`EventValidator.checkRecord`).
        case header
        /// A referenced id that is not known (for the sink's reference checks).
        case reference
    }

    /// The offending field as a JSON Pointer without the leading slash (a top-level
    /// field is just its name, e.g. `quantity`; nested: `headers/0/key`); nil when
    /// the message as a whole is bad.
    public var field: String?
    public var rule: Rule
    /// The offending value as compact JSON text (cut to 80 characters), nil when absent.
    public var value: String?
    /// What is wrong, after the field name: `0 is below the minimum 1`.
    public var message: String

    public init(field: String?, rule: Rule, value: String?, message: String) {
        self.field = field
        self.rule = rule
        self.value = value
        self.message = message
    }

    public var description: String { "\(field ?? "(root)"): \(message)" }
}
