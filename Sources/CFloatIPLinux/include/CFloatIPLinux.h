// Only what Swift's Glibc module cannot give us: the netlink, packet and ICMP headers, setns(2),
// and recvmsg's ancillary data (CMSG_* macros). Everything else is Swift. _GNU_SOURCE is deliberately not defined: it changes
// struct layouts (fd_set) that Foundation's modules also see, and the two would clash; the few
// GNU declarations we need are declared here instead.
#ifndef CFLOATIP_LINUX_H
#define CFLOATIP_LINUX_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/prctl.h>
#include <spawn.h>
#include <net/if.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/if_ether.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <netpacket/packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <ifaddrs.h>
#include <string.h>

/// setns(2) (glibc declares it only under _GNU_SOURCE).
extern int setns(int fd, int nstype);
static inline int cfloatip_setns(int fd, int nstype) { return setns(fd, nstype); }

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34; declared only under _GNU_SOURCE): the child
/// closes every descriptor from `from` up as it starts, including ones another thread opens meanwhile.
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
static inline int cfloatip_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

/// Names the calling thread (what `top -H` shows; the kernel keeps 15 bytes).
static inline void cfloatip_set_thread_name(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }

/// PR_SET_DUMPABLE / PR_GET_DUMPABLE (prctl is variadic, which Swift cannot call): whether the
/// process may dump core and be inspected by processes of its own user.
static inline int cfloatip_set_dumpable(int dumpable) { return prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0); }
static inline int cfloatip_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }

/// The IPv6 ancillary-data options (glibc's bits/in.h; stable ABI), and in6_pktinfo, which glibc
/// declares only under _GNU_SOURCE.
#ifndef IPV6_RECVPKTINFO
#define IPV6_RECVPKTINFO 49
#endif
#ifndef IPV6_PKTINFO
#define IPV6_PKTINFO 50
#endif
#ifndef IPV6_RECVHOPLIMIT
#define IPV6_RECVHOPLIMIT 51
#endif
#ifndef IPV6_HOPLIMIT
#define IPV6_HOPLIMIT 52
#endif
static const int cfloatip_IPV6_RECVPKTINFO = IPV6_RECVPKTINFO;
static const int cfloatip_IPV6_RECVHOPLIMIT = IPV6_RECVHOPLIMIT;
struct cfloatip_in6_pktinfo { struct in6_addr addr; unsigned int ifindex; };

/// recvmsg(2) of one datagram, without waiting, on a raw IPv6 socket with IPV6_RECVHOPLIMIT and
/// IPV6_RECVPKTINFO on (CMSG_* are macros Swift cannot call): its bytes, its source, its hop limit
/// (-1 when absent) and its destination (:: when absent). Returns recvmsg's result.
static inline ssize_t cfloatip_recv_ipv6(int fd, void *buffer, size_t length, struct sockaddr_in6 *from,
                                         int *hop_limit, struct in6_addr *destination) {
    struct iovec iov = { buffer, length };
    union {
        char bytes[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct cfloatip_in6_pktinfo))];
        struct cmsghdr align;
    } control;
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_name = from;
    message.msg_namelen = sizeof(*from);
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof(control.bytes);
    *hop_limit = -1;
    memset(destination, 0, sizeof(*destination));
    ssize_t count = recvmsg(fd, &message, MSG_DONTWAIT);
    if (count < 0) return count;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c != NULL; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level != IPPROTO_IPV6) continue;
        if (c->cmsg_type == IPV6_HOPLIMIT) {
            memcpy(hop_limit, CMSG_DATA(c), sizeof(int));
        } else if (c->cmsg_type == IPV6_PKTINFO) {
            struct cfloatip_in6_pktinfo info;
            memcpy(&info, CMSG_DATA(c), sizeof(info));
            *destination = info.addr;
        }
    }
    return count;
}

/// The first link-local IPv6 address (fe80::/10) of interface `name` in this process's network
/// namespace (getifaddrs(3)): 0 and `out` set, or -1 (none, or getifaddrs failed: see errno).
static inline int cfloatip_link_local(const char *name, struct in6_addr *out) {
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) != 0) return -1;
    int found = -1;
    for (struct ifaddrs *entry = list; entry != NULL; entry = entry->ifa_next) {
        if (entry->ifa_addr == NULL || entry->ifa_addr->sa_family != AF_INET6 || strcmp(entry->ifa_name, name) != 0) continue;
        const struct sockaddr_in6 *address = (const struct sockaddr_in6 *)entry->ifa_addr;
        if (address->sin6_addr.s6_addr[0] == 0xfe && (address->sin6_addr.s6_addr[1] & 0xc0) == 0x80) {
            *out = address->sin6_addr;
            found = 0;
            break;
        }
    }
    freeifaddrs(list);
    if (found != 0) errno = EADDRNOTAVAIL;
    return found;
}

/// recvmsg(2) on an IPv4 UDP socket with IP_RECVTTL set: the datagram, its sender, and its TTL
/// (-1 when the kernel gave none). Non-blocking.
static inline ssize_t cfloatip_recv_ttl(int fd, void *buffer, size_t length, struct sockaddr_in *from, int *ttl) {
    struct iovec iov = { buffer, length };
    union {
        char bytes[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_name = from;
    message.msg_namelen = sizeof(*from);
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control.bytes;
    message.msg_controllen = sizeof(control.bytes);
    *ttl = -1;
    ssize_t count = recvmsg(fd, &message, MSG_DONTWAIT);
    if (count < 0) return count;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&message); c != NULL; c = CMSG_NXTHDR(&message, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) memcpy(ttl, CMSG_DATA(c), sizeof(int));
    }
    return count;
}

/// CLONE_NEWNET for setns(2) (linux/sched.h; stable ABI).
static const int cfloatip_CLONE_NEWNET = 0x40000000;

#endif
