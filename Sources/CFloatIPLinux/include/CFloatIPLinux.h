// Only what Swift's Glibc module cannot give us: the netlink, packet and ICMP headers, and
// setns(2). Everything else is Swift. _GNU_SOURCE is deliberately not defined: it changes
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

/// CLONE_NEWNET for setns(2) (linux/sched.h; stable ABI).
static const int cfloatip_CLONE_NEWNET = 0x40000000;

#endif
