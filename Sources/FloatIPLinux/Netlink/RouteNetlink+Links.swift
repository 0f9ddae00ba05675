import CFloatIPLinux
import Glibc

extension RouteNetlink {
    /// Every network interface of the namespace (RTM_GETLINK dump).
    public func links() throws(NetlinkError) -> [LinkInfo] {
        let messages = try dump(operation: "list links") { LinkRequest.dump(sequence: $0) }
        return messages.compactMap { message in
            message.type == RT.newLink ? LinkInfo(payload: message.payload) : nil
        }
    }

    /// The interface called `name`, or nil if there is none.
    public func link(named name: String) throws(NetlinkError) -> LinkInfo? {
        try getLink(index: 0, name: name, operation: "get link \(name)")
    }

    /// The interface with index `index`, or nil if there is none.
    public func link(index: Int32) throws(NetlinkError) -> LinkInfo? {
        try getLink(index: index, name: nil, operation: "get link index \(index)")
    }

    private func getLink(index: Int32, name: String?, operation: String) throws(NetlinkError) -> LinkInfo? {
        if let name, name.utf8.count >= Int(IFNAMSIZ) || name.isEmpty { return nil }
        do {
            let (messages, _) = try exchange(operation: operation) { LinkRequest.get(index: index, name: name, sequence: $0) }
            return messages.lazy.filter { $0.type == RT.newLink }.compactMap { LinkInfo(payload: $0.payload) }.first
        } catch let error where error.errno == ENODEV {
            return nil
        }
    }
}
