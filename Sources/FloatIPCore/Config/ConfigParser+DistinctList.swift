import Yams

/// Why one item of a list is not acceptable; the message names what is allowed.
struct ItemProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension ConfigReader {
    /// `key: [a, b, …]`: a required, non-empty list of text items, each turned into a value by `read` (which
    /// throws the problem with that item), none twice. `what` completes "must be a list of …", `empty` is the
    /// message for `[]`, `each` the noun of the duplicate message ("list each member once"). Every bad item is
    /// reported; nil when there was any.
    mutating func distinctTextList<Value: Equatable>(
        _ entries: Fields, _ key: String, of what: String, empty: String, each: String,
        read: (String) throws(ItemProblem) -> Value
    ) -> [Value]? {
        guard let list = value(entries, key, required: true) else { return nil }
        let path = entries.path(key)
        guard let items = items(list, path: path, of: what) else { return nil }
        if items.isEmpty {
            report(path, at: list, empty)
            return nil
        }
        var values: [Value] = []
        var complete = true
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let text = string(item, path: itemPath) else {
                complete = false
                continue
            }
            do throws(ItemProblem) {
                let value = try read(text)
                if let earlier = values.firstIndex(of: value) {
                    throw ItemProblem("`\(text)` is also \(path)[\(earlier)]; list each \(each) once")
                }
                values.append(value)
            } catch {
                report(itemPath, at: item, error.message)
                complete = false
            }
        }
        return complete ? values : nil
    }
}
