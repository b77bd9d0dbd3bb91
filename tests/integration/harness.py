"""Runs sipwired and sipwire-dp the way the README does, on a net_tap device inside a
network namespace the test creates, and cleans up every process (by PID) and device
it made. Shared by the integration tests."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77  # meson's exit code for a skipped test


def skip_unless_privileged():
    reasons = []
    if os.geteuid() != 0:
        reasons.append("needs root")
    if not os.path.exists("/dev/net/tun"):
        reasons.append("needs /dev/net/tun")
    if shutil.which("ip") is None:
        reasons.append("needs iproute2")
    if reasons:
        print("SKIP: " + ", ".join(reasons) + " (net_tap in a network namespace)")
        sys.exit(SKIP)


def free_tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*cmd, check=True, timeout=30, **kw):
    return subprocess.run(cmd, check=check, timeout=timeout, capture_output=True, text=True, **kw)


class Deployment:
    """One sipwire instance: config file, sipwired, sipwire-dp in netns `self.netns`."""

    DP_IP = "192.0.2.1"
    PEER_IP = "192.0.2.2"
    # The optional second port (second_port=True): another net_tap on another subnet.
    DP_IP_B = "198.51.100.1"
    KERNEL_IP_B = "198.51.100.2"  # the kernel's own address on that tap

    def __init__(self, build_dir, tag, sip_ports=(5060,), rtp=(20000, 20999), lcores="0",
                 extra_config="", second_port=False):
        self.build_dir = os.path.abspath(build_dir)
        suffix = "%s%d" % (tag, os.getpid() % 100000)
        self.instance = "it-" + suffix
        self.netns = "sw-" + suffix
        self.tap = ("swt" + suffix)[:15]
        # Port 1 (net_tap1) when asked for: its kernel side is TAP_B.
        self.tap_b = self.tap[:14] + "b" if second_port else None
        self.workdir = tempfile.mkdtemp(prefix="sipwire-it-")
        self.socket = os.path.join(self.workdir, "control.sock")
        self.metrics_port = free_tcp_port()
        self.config_path = os.path.join(self.workdir, "sipwire.toml")
        self.sip_ports, self.rtp, self.lcores = sip_ports, rtp, lcores
        self.extra_config = extra_config  # more TOML tables, appended
        self.sipwired = None
        self.dataplane = None
        self.netns_created = False
        self.write_config()

    # configuration ---------------------------------------------------------
    def config_text(self, idle_sleep_us=20):
        vdev_b, port_b = "", ""
        if self.tap_b:
            vdev_b = f', "--vdev=net_tap1,iface={self.tap_b}"'
            port_b = f"""
[[port]]
name = "net_tap1"
address = "{self.DP_IP_B}/24"
"""
        return f"""# written by {os.path.basename(__file__)}
[instance]
name = "{self.instance}"
log_level = "debug"
state_dir = "{self.workdir}"

[dataplane]
eal_args = ["--no-huge", "-m", "256", "--no-pci", "--file-prefix", "{self.instance}",
            "-l", "{self.lcores}", "--vdev=net_tap0,iface={self.tap}"{vdev_b}]
idle_sleep_us = {idle_sleep_us}

[[port]]
name = "net_tap0"
address = "{self.DP_IP}/24"
{port_b}
[sip]
ports = [{", ".join(str(p) for p in self.sip_ports)}]

[rtp]
port_min = {self.rtp[0]}
port_max = {self.rtp[1]}

[metrics]
listen = "127.0.0.1:{self.metrics_port}"

[control]
socket = "{self.socket}"
{self.extra_config}"""

    def write_config(self, text=None):
        with open(self.config_path, "w") as f:
            f.write(text if text is not None else self.config_text())

    # processes -------------------------------------------------------------
    def binary(self, name):
        paths = {"sipwired": "controlplane/daemon/sipwired",
                 "sipwire-dp": "dataplane/runtime/sipwire-dp",
                 "sipwirectl": "tools/sipwirectl/sipwirectl"}
        return os.path.join(self.build_dir, paths[name])

    def start(self):
        run("ip", "netns", "add", self.netns)
        self.netns_created = True
        # A quiet kernel side: no IPv6 chatter on the tap, so counters are exact.
        for key in ("all", "default"):
            run("ip", "netns", "exec", self.netns, "sysctl", "-qw",
                f"net.ipv6.conf.{key}.disable_ipv6=1")
            if self.tap_b:
                # Two taps into one kernel: a datagram may arrive on one with a source
                # the kernel routes out of the other (sipwire-dp's sources follow its
                # egress port, the kernel's its own routes). No reverse-path filter.
                run("ip", "netns", "exec", self.netns, "sysctl", "-qw",
                    f"net.ipv4.conf.{key}.rp_filter=0")
        self.start_sipwired()
        self.dataplane = self.spawn("sipwire-dp", "ip", "netns", "exec", self.netns,
                                    self.binary("sipwire-dp"), "--instance", self.instance)
        self.wait_for(self.dataplane_running, "sipwire-dp workers running")
        run("ip", "-n", self.netns, "link", "set", self.tap, "up")
        if self.tap_b:
            run("ip", "-n", self.netns, "link", "set", self.tap_b, "up")
            self.add_peer_address(self.KERNEL_IP_B, self.tap_b)

    def spawn(self, log_name, *cmd):
        """Starts a process with its output appended to WORKDIR/LOG_NAME.log."""
        with open(os.path.join(self.workdir, log_name + ".log"), "a") as log:
            return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)

    def start_sipwired(self):
        self.sipwired = self.spawn("sipwired", self.binary("sipwired"), "--config", self.config_path)
        self.wait_for(lambda: self.ctl("status", check=False).returncode == 0, "sipwired")

    def dataplane_running(self):
        if self.dataplane.poll() is not None:
            raise RuntimeError("sipwire-dp exited: " + self.log("sipwire-dp"))
        r = self.ctl("status", "--json", check=False)
        if r.returncode != 0:
            return False
        status = json.loads(r.stdout)
        workers = status.get("dataplane", {}).get("workers", [])
        return status["dataplane"].get("alive") and workers and all(
            w["acked_generation"] > 0 for w in workers)

    def wait_for(self, predicate, what, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            for p, name in ((self.sipwired, "sipwired"), (self.dataplane, "sipwire-dp")):
                if p is not None and p.poll() is not None:
                    raise RuntimeError(f"{name} exited ({p.returncode}): " + self.log(name))
            time.sleep(0.1)
        raise TimeoutError(f"timed out waiting for {what}")

    def log(self, name):
        try:
            with open(os.path.join(self.workdir, name + ".log")) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def ctl(self, *args, check=True):
        return run(self.binary("sipwirectl"), "--socket", self.socket, *args, check=check)

    def add_peer_address(self, address, tap=None):
        """Another address on the kernel side of a tap (a host of the test's own); the
        first tap unless told."""
        self.in_netns("ip", "addr", "add", f"{address}/24", "dev", tap or self.tap)

    def in_netns(self, *cmd, check=True, timeout=30):
        return run("ip", "netns", "exec", self.netns, *cmd, check=check, timeout=timeout)

    # observation -----------------------------------------------------------
    def metrics_text(self):
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode()

    def metric(self, name, **labels):
        """Sum of every sample of `name` whose labels include `labels`."""
        total = 0.0
        pattern = re.compile(r"^" + re.escape(name) + r"(\{[^}]*\})?\s+(\S+)$")
        for line in self.metrics_text().splitlines():
            m = pattern.match(line)
            if not m:
                continue
            found = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1) or ""))
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(m.group(2))
        return total

    # teardown --------------------------------------------------------------
    def stop_process(self, proc, timeout=10):
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop(self):
        self.stop_process(self.dataplane)
        self.stop_process(self.sipwired)
        if self.netns_created:
            run("ip", "netns", "del", self.netns, check=False)
            self.netns_created = False
        # Left only when a process was killed; ours by name, never someone else's.
        for path in ("/dev/shm/sipwire-" + self.instance,):
            if os.path.exists(path):
                os.unlink(path)
        shutil.rmtree("/var/run/dpdk/" + self.instance, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            sys.stderr.write("--- sipwired log ---\n" + self.log("sipwired"))
            sys.stderr.write("--- sipwire-dp log ---\n" + self.log("sipwire-dp"))
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
