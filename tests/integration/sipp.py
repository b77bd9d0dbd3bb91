"""sipp as a real SIP peer inside the test's network namespace: start, read its
statistics file, stop by PID."""
import csv
import os
import signal
import subprocess
import time


class Sipp:
    def __init__(self, deployment, name, args):
        self.dep = deployment
        self.name = name
        self.stats_file = os.path.join(deployment.workdir, f"{name}.csv")
        self.log_path = os.path.join(deployment.workdir, f"{name}.log")
        cmd = ["ip", "netns", "exec", deployment.netns, "sipp", *args, "-nostdin",
               "-trace_stat", "-stf", self.stats_file, "-fd", "1",
               "-trace_err", "-error_file", os.path.join(deployment.workdir, f"{name}.errors")]
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)

    def stats(self):
        """The newest line of sipp's statistics file, as a dict (cumulative columns)."""
        try:
            with open(self.stats_file) as f:
                rows = list(csv.reader(f, delimiter=";"))
        except OSError:
            return {}
        if len(rows) < 2:
            return {}
        return dict(zip(rows[0], rows[-1]))

    def count(self, column):
        value = self.stats().get(column, "0") or "0"
        return int(value)

    def wait(self, timeout):
        return self.proc.wait(timeout=timeout)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def errors(self):
        try:
            with open(os.path.join(self.dep.workdir, f"{self.name}.errors")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise TimeoutError("timed out waiting for " + what)
