/// The kernel's answer that ends a request: an NLMSG_ERROR (error 0 is the acknowledgement) or
/// the NLMSG_DONE that ends a dump, with the extended-ack text when the kernel sent one.
struct NetlinkAck: Sendable, Equatable {
    /// 0 for success, else a positive errno.
    var errno: Int32
    /// NLMSGERR_ATTR_MSG, verbatim.
    var message: String?

    /// Decodes the answer in an NLMSG_ERROR or NLMSG_DONE message; nil for other messages.
    ///
    /// NLMSG_ERROR: `s32 error`, the request's header (and its payload unless NLM_F_CAPPED), then
    /// TLVs if NLM_F_ACK_TLVS. NLMSG_DONE: `s32 error`, then TLVs if NLM_F_ACK_TLVS.
    init?(_ message: NetlinkMessage) throws(NetlinkDecodeError) {
        guard message.type == RT.error || message.type == RT.done else { return nil }
        let payload = message.payload
        guard let error = payload.load(Int32.self, at: 0) else {
            // An old kernel's NLMSG_DONE may carry nothing at all: a clean end.
            if message.type == RT.done { self.init(errno: 0, message: nil); return }
            throw NetlinkDecodeError(what: "NLMSG_ERROR without an error code", offset: 0)
        }
        var tlvOffset = 4
        if message.type == RT.error {
            let echoedLength = payload.load(UInt32.self, at: 4) ?? 0
            tlvOffset += message.flags & RT.capped != 0 ? RT.messageHeaderLength : RT.align(Int(echoedLength))
        }
        var text: String?
        if message.flags & RT.ackTLVs != 0, tlvOffset <= payload.count {
            text = NetlinkAttributes(payload.dropFirst(tlvOffset)).string(RT.errorAttributeMessage)
        }
        self.init(errno: error == Int32.min ? 0 : -error, message: text)
    }

    init(errno: Int32, message: String?) {
        self.errno = errno
        self.message = message
    }
}
