/// Google Cloud project ids, checked once for every service (BigQuery, Pub/Sub) before a request,
/// so a typo gets one sentence that names the rule instead of a 404 from the API.
public enum GoogleProject {
    /// Why `id` cannot be a project id, or nil. Loose on purpose (Google decides; emulators take
    /// more): lowercase letters, digits and `-`, with a domain prefix by `.` and `:`
    /// (`example.com:my-project`), never a resource path.
    public static func problem(_ id: String) -> String? {
        guard !id.isEmpty else { return "is empty" }
        guard !id.contains("/") else { return "must be the project id alone, not a path (projects/…)" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.:")
        guard id.allSatisfy(allowed.contains) else {
            return "may contain only lowercase letters, digits, - (and a domain prefix with . and :)"
        }
        return nil
    }
}
