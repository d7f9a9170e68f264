import ShopStreamHTTP

/// Pub/Sub's rules for names, checked before a request so the error says which rule.
public enum PubSubNames {
    /// Why `id` cannot be a topic or subscription id, or nil: 3 to 255 characters, a letter
    /// first, then letters, digits and `-_.~+%`, not starting with `goog`.
    public static func resourceProblem(_ id: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~+%")
        guard (3...255).contains(id.count) else { return "must be 3 to 255 characters long" }
        guard let first = id.first, first.isASCII, first.isLetter else { return "must start with a letter" }
        guard id.allSatisfy(allowed.contains) else { return "may hold only letters, digits and - _ . ~ + %" }
        guard !id.lowercased().hasPrefix("goog") else { return "must not start with \"goog\"" }
        return nil
    }

    /// Why `project` cannot be a project id, or nil: Google's rule (`GoogleProject`), and at
    /// least 3 characters, as the emulator answers a bare 404 to shorter ids, which would mislead.
    public static func projectProblem(_ project: String) -> String? {
        if let problem = GoogleProject.problem(project) { return problem }
        guard project.count >= 3 else { return "is shorter than 3 characters" }
        return nil
    }
}
