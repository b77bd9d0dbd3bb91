#!/usr/bin/env python3
"""Calls-per-second and channel limits with real peers: a sipp UAC offers calls
through sipwire-dp to a sipp UAS (the switch) and sipwire refuses, admits, releases and
fails over as configured; limits are resized during load with sipwirectl.

usage: limits_test.py BUILD_DIR"""
import json
import os
import shutil
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from sipp import Sipp, wait_until  # noqa: E402

BUILD_DIR = sys.argv.pop(1) if len(sys.argv) > 1 else "build"
SCENARIO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios",
                        "uac_capacity.xml")
SWITCH, FAILOVER, UAC = "192.0.2.11", "192.0.2.13", "192.0.2.2"
CPS, BURST = 20, 5
BASE_CONFIG = f"""
[limits]
cps = {CPS}
burst = {BURST}
retry_after_s = 7

[dispatcher]
set = "switches"
probe_interval_ms = 500
down_after_ms = 2000

[[destination_set]]
name = "switches"
destinations = [ {{ address = "{SWITCH}:5060" }} ]
"""


class Limits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dep = harness.Deployment(BUILD_DIR, "lm", extra_config=BASE_CONFIG)
        cls.peers = []
        try:
            cls.dep.start()
            for address in (UAC, SWITCH, FAILOVER):
                cls.dep.add_peer_address(address)
            cls.switch = Sipp(cls.dep, "switch", ["-sn", "uas", "-aa", "-i", SWITCH, "-p", "5060"])
            cls.failover = Sipp(cls.dep, "failover",
                                ["-sn", "uas", "-aa", "-i", FAILOVER, "-p", "5060"])
            cls.peers = [cls.switch, cls.failover]
            wait_until(lambda: cls.dep.metric("sipwire_dispatcher_destination_up") == 1, 15,
                       "the switch up")
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for p in cls.peers:
            p.stop()
        cls.dep.__exit__(None, None, None)

    # helpers ---------------------------------------------------------------
    def admitted(self):
        return self.dep.metric("sipwire_calls_admitted_total", scope="server")

    def refused(self, reason):
        return self.dep.metric("sipwire_calls_rejected_total", scope="server", reason=reason)

    def at_capacity_503s(self):
        return self.dep.metric("sipwire_sip_local_responses_total", reason="at_capacity")

    def start_uac(self, name, calls, rate, call_ms=0):
        return Sipp(self.dep, name, ["-sf", SCENARIO, f"{self.dep.DP_IP}:5060", "-i", UAC,
                                     "-p", "5070", "-m", str(calls), "-r", str(rate),
                                     "-d", str(call_ms), "-timeout", "120s", "-timeout_error"])

    def finish(self, uac, calls):
        try:
            self.assertEqual(uac.wait(timeout=150), 0, uac.errors())
        finally:
            uac.stop()
        self.assertEqual(uac.count("SuccessfulCall(C)"), calls, uac.errors())

    def settled_switch_calls(self, peer, at_least):
        wait_until(lambda: peer.count("SuccessfulCall(C)") >= at_least, 15, "UAS statistics")
        time.sleep(1.5)
        return peer.count("SuccessfulCall(C)")

    @staticmethod
    def stable_calls(peer):
        """The UAS's successful calls once its (lagging) statistics stop moving."""
        previous = -1
        for _ in range(15):
            current = peer.count("SuccessfulCall(C)")
            if current == previous:
                return current
            previous = current
            time.sleep(1.2)
        return previous

    def limits_set(self, *args):
        return self.dep.ctl("limits", "set", *args)

    # tests -----------------------------------------------------------------
    def test_1_below_the_limit_nothing_is_refused(self):
        before, refused = self.admitted(), self.refused("cps")
        uac = self.start_uac("uac-below", 60, CPS * 3 // 4)
        self.finish(uac, 60)
        self.assertEqual(self.admitted() - before, 60)
        self.assertEqual(self.refused("cps") - refused, 0)

    def test_2_three_times_the_cps_limit(self):
        calls, rate = 600, 3 * CPS
        before, refused, replies = self.admitted(), self.refused("cps"), self.at_capacity_503s()
        switch_before = self.stable_calls(self.switch)
        started = time.monotonic()
        uac = self.start_uac("uac-3x", calls, rate)
        self.finish(uac, calls)
        elapsed = time.monotonic() - started
        admitted = self.admitted() - before
        rejected = self.refused("cps") - refused
        print(f"offered {calls} at {rate}/s in {elapsed:.1f}s: admitted {admitted:.0f}, "
              f"refused {rejected:.0f}", file=sys.stderr)
        self.assertEqual(admitted + rejected, calls)
        self.assertEqual(self.at_capacity_503s() - replies, rejected)
        sending = calls / rate
        self.assertGreaterEqual(admitted, CPS * sending * 0.95)
        self.assertLessEqual(admitted, CPS * elapsed + BURST + 1)
        self.assertEqual(self.settled_switch_calls(self.switch, switch_before + admitted)
                         - switch_before, admitted)
        self.assertEqual(self.switch.count("FailedCall(C)"), 0)

    def test_3_channel_capacity_reached_and_released(self):
        self.limits_set("--scope", "server", "--cps", "0", "--channels", "10")
        before, refused = self.admitted(), self.refused("channels")
        peak = 0
        uac = self.start_uac("uac-channels", 60, 20, call_ms=2000)
        while uac.proc.poll() is None:
            peak = max(peak, self.dep.metric("sipwire_channels_in_use", scope="server"))
            time.sleep(0.2)
        self.finish(uac, 60)
        admitted, rejected = self.admitted() - before, self.refused("channels") - refused
        print(f"channels: peak in use {peak:.0f} of 10, admitted {admitted:.0f}, "
              f"refused {rejected:.0f}", file=sys.stderr)
        self.assertEqual(admitted + rejected, 60)
        self.assertGreater(rejected, 0)
        self.assertLessEqual(peak, 10)
        self.assertGreaterEqual(peak, 8)
        wait_until(lambda: self.dep.metric("sipwire_channels_in_use", scope="server") == 0, 5,
                   "every channel released")
        self.assertEqual(self.switch.count("FailedCall(C)"), 0)

    def test_4_resize_during_load(self):
        self.limits_set("--scope", "server", "--cps", "10", "--channels", "0")
        uac = self.start_uac("uac-resize", 480, 40, call_ms=1000)
        started = time.monotonic()

        def admitted_at(t):
            time.sleep(max(0.0, started + t - time.monotonic()))
            return self.admitted()

        a1, a5 = admitted_at(1), admitted_at(5)
        self.limits_set("--scope", "server", "--cps", "30")
        a7, a11 = admitted_at(7), admitted_at(11)
        self.finish(uac, 480)
        low, high = (a5 - a1) / 4, (a11 - a7) / 4
        print(f"admitted per second: {low:.1f} at cps 10, {high:.1f} after resize to 30",
              file=sys.stderr)
        self.assertGreaterEqual(low, 8)
        self.assertLessEqual(low, 12.5)
        self.assertGreaterEqual(high, 26)
        self.assertLessEqual(high, 33)
        time.sleep(2)
        self.assertEqual(self.switch.count("FailedCall(C)"), 0, "an established call failed")
        shown = json.loads(self.dep.ctl("limits", "show", "--json").stdout)
        server = [s for s in shown["scopes"] if s["name"] == "server"][0]
        self.assertEqual(server["cps"], 30)

    def test_5_capacity_failover(self):
        self.limits_set("--scope", "server", "--reset")
        self.dep.write_config(self.dep.config_text()
                              + f'\n[capacity_failover]\naddress = "{FAILOVER}:5060"\n')
        self.dep.ctl("config", "reload")
        failed_over = self.dep.metric("sipwire_calls_failed_over_total")
        replies = self.at_capacity_503s()
        before = self.admitted()
        failover_before = self.stable_calls(self.failover)
        uac = self.start_uac("uac-failover", 300, 3 * CPS)
        self.finish(uac, 300)
        moved = self.dep.metric("sipwire_calls_failed_over_total") - failed_over
        admitted = self.admitted() - before
        print(f"failover: admitted {admitted:.0f}, failed over {moved:.0f}", file=sys.stderr)
        self.assertEqual(self.at_capacity_503s() - replies, 0, "no call refused with failover")
        self.assertEqual(admitted + moved, 300)
        self.assertGreater(moved, 100)
        self.assertEqual(self.settled_switch_calls(self.failover, failover_before + moved)
                         - failover_before, moved)
        self.assertEqual(self.failover.count("FailedCall(C)"), 0)


if __name__ == "__main__":
    harness.skip_unless_privileged()
    if shutil.which("sipp") is None:
        print("SKIP: sipp (package sip-tester) is not installed")
        sys.exit(harness.SKIP)
    unittest.main(verbosity=2)
