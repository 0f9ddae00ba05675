/// The AWS shared credentials file (`~/.aws/credentials`, or `AWS_SHARED_CREDENTIALS_FILE`), as
/// the AWS CLI writes it: INI sections named for profiles (`[default]`, `[failover]`), each with
/// `aws_access_key_id`, `aws_secret_access_key` and, for temporary keys, `aws_session_token`.
/// Lines starting with `#` or `;` are comments; keys are case-insensitive, `=` or `:` separates
/// a key from its value.
enum AWSSharedCredentialsFile {
    /// What a profile holds, or why it cannot be used (never a secret in the message).
    enum Lookup: Equatable {
        case found(accessKeyID: String, secretKey: String, sessionToken: String?)
        /// No section of that name, or one without keys: the next source in the chain is asked.
        case absent
        /// A section with half a key: an error, as the SDKs make it.
        case incomplete(String)
    }

    /// The keys of profile `name` in `text`.
    static func lookup(_ name: String, in text: String) -> Lookup {
        guard let fields = sections(text)[name] else { return .absent }
        let id = fields["aws_access_key_id"], secret = fields["aws_secret_access_key"]
        switch (id, secret) {
        case (nil, nil): return .absent
        case (let id?, let secret?): return .found(accessKeyID: id, secretKey: secret, sessionToken: fields["aws_session_token"])
        case (nil, _): return .incomplete("profile [\(name)] has `aws_secret_access_key` but no `aws_access_key_id`")
        case (_, nil): return .incomplete("profile [\(name)] has `aws_access_key_id` but no `aws_secret_access_key`")
        }
    }

    /// Every section's fields (keys lowercased, values trimmed, empty values left out).
    static func sections(_ text: String) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                if result[name] == nil { result[name] = [:] }
                continue
            }
            guard let section = current, let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            if !value.isEmpty { result[section]?[key] = value }
        }
        return result
    }
}
