"""The benchmark's lab: namespaces, processes and their cleanup (used by bench/failover.py).

Mirrors `floatip lab` (docs/lab.md): a switch namespace with a bridge, nodes web1 and web2 and a
client, each with eth0 on the bridge; addresses from 198.18.0.0/15 only (nodes 198.18.0.N/16,
client 198.18.0.200/16), no default route anywhere. Every namespace and process is recorded in a
`Registry` as it is made, and `Registry.cleanup()` removes exactly those (processes by PID, only
while their command line still names the run's directory; namespaces by exact name).
"""
import os
import shutil
import signal
import subprocess
import time

IP = shutil.which("ip") or "/usr/sbin/ip"
VIP = "198.18.0.100"
CLIENT = "198.18.0.200"
PORT = 7480


def extra_addresses(count):
    """`count` more floating addresses after the VIP: 198.18.(1 + i / 250).(1 + i % 250)."""
    return ["198.18.%d.%d" % (1 + i // 250, 1 + i % 250) for i in range(count)]


def run(*args, check=True, stdin=None):
    """Runs a short command; its standard output. Raises with its standard error on failure."""
    result = subprocess.run(args, input=stdin, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(args), result.returncode, result.stderr.strip()))
    return result.stdout


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return False


def names_marker(pid, marker):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return marker.encode() in f.read()
    except OSError:
        return False


class Registry:
    """Everything the run made, so that every exit path removes it."""

    def __init__(self, directory):
        self.directory = directory
        self.namespaces = []
        self.children = {}  # pid -> Popen (reaped on stop)
        self.pids = set()  # every PID started or learned (keepalived's VRRP child)

    def add_namespace(self, name):
        run(IP, "netns", "add", name)
        self.namespaces.append(name)
        run(IP, "-n", name, "link", "set", "lo", "up")

    def spawn(self, namespace, argv, log):
        """Starts `argv` inside `namespace` (ip netns exec execs in place: the PID is the program's),
        in a session of its own, output appended to `log`."""
        with open(log, "ab") as out:
            child = subprocess.Popen([IP, "netns", "exec", namespace] + argv, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.children[child.pid] = child
        self.pids.add(child.pid)
        return child.pid

    def reap(self):
        for pid, child in list(self.children.items()):
            if child.poll() is not None:
                del self.children[pid]

    def stop(self, pids, grace=3.0):
        """SIGTERM, then SIGKILL after `grace`; only PIDs that are still this run's."""
        pids = [p for p in pids if alive(p) and names_marker(p, self.directory)]
        for pid in pids:
            os.kill(pid, signal.SIGTERM)
        self.wait_gone(pids, grace)
        for pid in pids:
            if alive(pid) and names_marker(pid, self.directory):
                os.kill(pid, signal.SIGKILL)
        self.wait_gone(pids, 2.0)

    def wait_gone(self, pids, limit):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            self.reap()
            if not any(alive(p) for p in pids):
                return True
            time.sleep(0.01)
        return False

    def cleanup(self):
        """Ends every process of the run and deletes its namespaces and directory. Idempotent."""
        pids = [p for p in self.pids if alive(p) and names_marker(p, self.directory)]
        for namespace in self.namespaces:
            listed = run(IP, "netns", "pids", namespace, check=False)
            pids += [int(p) for p in listed.split() if p.isdigit() and int(p) != os.getpid()]
        pids = sorted(set(pids))
        self.stop(pids)
        # Anything left inside our namespaces is ours too, whatever its command line.
        for namespace in self.namespaces:
            for p in run(IP, "netns", "pids", namespace, check=False).split():
                if p.isdigit() and int(p) != os.getpid():
                    try:
                        os.kill(int(p), signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        for namespace in reversed(self.namespaces):
            run(IP, "netns", "del", namespace, check=False)
        removed = len(self.namespaces)
        self.namespaces = []
        shutil.rmtree(self.directory, ignore_errors=True)
        return len(pids), removed


class Network:
    """One lab network: switch, web1, web2 and a client (namespaces `floatip-<tag>-…`)."""

    def __init__(self, registry, tag):
        self.registry = registry
        self.tag = tag
        self.switch = "floatip-%s-sw" % tag
        self.client = "floatip-%s-client" % tag
        self.nodes = {1: "floatip-%s-web1" % tag, 2: "floatip-%s-web2" % tag}
        self.macs = {}

    @staticmethod
    def address(node):
        return "198.18.0.%d" % node

    def build(self):
        self.registry.add_namespace(self.switch)
        run(IP, "-n", self.switch, "link", "add", "br0", "type", "bridge")
        run(IP, "-n", self.switch, "link", "set", "br0", "up")
        self.registry.add_namespace(self.client)
        self._plug(self.client, "pc", CLIENT)
        for node, namespace in self.nodes.items():
            self.registry.add_namespace(namespace)
            self._plug(namespace, "p%d" % node, self.address(node))
            text = run(IP, "-n", namespace, "-o", "link", "show", "eth0")
            self.macs[text.split("link/ether ")[1].split()[0]] = "web%d" % node

    def _plug(self, namespace, port, address):
        run(IP, "-n", self.switch, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        run(IP, "-n", self.switch, "link", "set", port, "master", "br0")
        run(IP, "-n", self.switch, "link", "set", port, "up")
        run(IP, "-n", namespace, "addr", "add", address + "/16", "dev", "eth0")
        run(IP, "-n", namespace, "link", "set", "eth0", "up")

    def set_link(self, node, up):
        run(IP, "-n", self.nodes[node], "link", "set", "eth0", "up" if up else "down")

    def has_vip(self, node):
        return self.has_address(node, VIP)

    def has_address(self, node, address):
        text = run(IP, "-n", self.nodes[node], "-4", "-o", "addr", "show", "dev", "eth0")
        return (" %s/32 " % address) in text

    def delete_addresses(self, node, addresses):
        """Removes floating addresses left on `node` (a dead host's, or a stopped daemon's)."""
        batch = "".join("address del %s/32 dev eth0\n" % a for a in addresses)
        run(IP, "-n", self.nodes[node], "-force", "-batch", "-", check=False, stdin=batch)

    def flush_client_neighbours(self):
        run(IP, "-n", self.client, "neigh", "flush", "dev", "eth0", check=False)
