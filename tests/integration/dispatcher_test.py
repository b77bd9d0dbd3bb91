#!/usr/bin/env python3
"""The dispatcher with real peers: a sipp UAC places 2,000 calls
(INVITE/100/180/200/ACK/BYE/200) through sipwire-dp to two sipp UAS instances (the
switches of a cluster). Zero failed calls, each UAS gets 45-55% of the calls, and no UAS
sees a request of a call it does not have. Then one UAS stops: within the health-check
timeout it is taken out of the set and every new call goes to the other, still with
zero failures.

usage: dispatcher_test.py BUILD_DIR"""
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
SIPSEND = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sipsend.py")
UAS_ADDRESSES = ("192.0.2.11", "192.0.2.12")
UAC_ADDRESS = "192.0.2.2"
PROBE_INTERVAL_MS = 500
DOWN_AFTER_MS = 2000
CALLS = 2000
DISPATCH_CONFIG = f"""
[dispatcher]
set = "switches"
probe_interval_ms = {PROBE_INTERVAL_MS}
down_after_ms = {DOWN_AFTER_MS}

[[destination_set]]
name = "switches"
destinations = [ {{ address = "{UAS_ADDRESSES[0]}:5060", weight = 1 }},
                 {{ address = "{UAS_ADDRESSES[1]}:5060", weight = 1 }} ]
"""


class Dispatcher(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dep = harness.Deployment(BUILD_DIR, "ds", extra_config=DISPATCH_CONFIG)
        cls.uas = []
        try:
            cls.dep.start()
            for address in (UAC_ADDRESS, *UAS_ADDRESSES):
                cls.dep.add_peer_address(address)
            cls.uas = [Sipp(cls.dep, f"uas{i}", ["-sn", "uas", "-aa", "-i", a, "-p", "5060"])
                       for i, a in enumerate(UAS_ADDRESSES)]
            wait_until(lambda: cls.states() == {"up"}, 15, "both destinations up")
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for uas in cls.uas:
            uas.stop()
        cls.dep.__exit__(None, None, None)

    @classmethod
    def destinations(cls):
        listing = json.loads(cls.dep.ctl("dispatcher", "list", "--json").stdout)
        return {f"{d['address']}:{d['port']}": d for s in listing["sets"]
                for d in s["destinations"]}

    @classmethod
    def states(cls):
        return {d["state"] for d in cls.destinations().values()}

    def place_calls(self, name, calls, rate):
        uac = Sipp(self.dep, name, ["-sn", "uac", f"{self.dep.DP_IP}:5060", "-i", UAC_ADDRESS,
                                    "-p", "5070", "-m", str(calls), "-r", str(rate),
                                    "-timeout", "120s", "-timeout_error"])
        try:
            code = uac.wait(timeout=150)
        finally:
            uac.stop()
        self.assertEqual(uac.count("SuccessfulCall(C)"), calls, uac.errors())
        self.assertEqual(uac.count("FailedCall(C)"), 0, uac.errors())
        self.assertEqual(code, 0, uac.errors())

    def uas_calls(self, expected_total, uas=None):
        """Successful calls per UAS once their statistics files (dumped every second,
        lagging) add up to `expected_total`, or after 15 s."""
        uas = uas or self.uas
        counts = lambda: [u.count("SuccessfulCall(C)") for u in uas]  # noqa: E731
        try:
            wait_until(lambda: sum(counts()) >= expected_total, 15, "UAS statistics")
        except TimeoutError:
            pass
        time.sleep(1.5)  # one more dump: a late call would show as an excess
        return counts()

    def test_1_calls_spread_over_both_switches(self):
        self.place_calls("uac1", CALLS, 400)
        per_uas = self.uas_calls(CALLS)
        failed = [u.count("FailedCall(C)") for u in self.uas]
        unexpected = [u.count("UnexpectedMessage(C)") if "UnexpectedMessage(C)" in u.stats()
                      else 0 for u in self.uas]
        print(f"calls per UAS: {per_uas}, failed {failed}", file=sys.stderr)
        self.assertEqual(sum(per_uas), CALLS)
        self.assertEqual(failed, [0, 0], "a request of a call reached the wrong UAS")
        self.assertEqual(unexpected, [0, 0])
        for n in per_uas:
            self.assertGreaterEqual(n, CALLS * 0.45)
            self.assertLessEqual(n, CALLS * 0.55)
        dispatched = self.dep.metric("sipwire_dispatcher_requests_total")
        # INVITE, ACK and BYE of every call go through the dispatcher.
        self.assertEqual(dispatched, 3 * CALLS)

    def test_2_failover_when_a_switch_stops(self):
        before = self.uas[1].count("SuccessfulCall(C)")
        self.uas[0].stop()
        stopped_at = time.monotonic()
        wait_until(lambda: self.destinations()[f"{UAS_ADDRESSES[0]}:5060"]["state"] == "down",
                   (DOWN_AFTER_MS + 3 * PROBE_INTERVAL_MS) / 1000 + 2, "destination down")
        took = time.monotonic() - stopped_at
        print(f"destination down {took:.2f}s after its UAS stopped", file=sys.stderr)
        self.assertLessEqual(took, (DOWN_AFTER_MS + 2 * PROBE_INTERVAL_MS) / 1000 + 0.5)
        self.assertEqual(self.dep.metric("sipwire_dispatcher_destination_up",
                                         destination=f"{UAS_ADDRESSES[0]}:5060"), 0.0)
        self.place_calls("uac2", 500, 200)
        self.assertEqual(self.uas_calls(before + 500, [self.uas[1]])[0] - before, 500)
        self.assertEqual(self.uas[1].count("FailedCall(C)"), 0)

    def send(self, kind, sdp_bytes=0):
        r = self.dep.in_netns(sys.executable, SIPSEND, UAC_ADDRESS, "5099", self.dep.DP_IP,
                              "5060", kind, str(sdp_bytes))
        return json.loads(r.stdout)

    def test_0_options_to_sipwire_and_bad_request(self):
        self.assertEqual(self.send("options")["responses"], ["SIP/2.0 200 OK"])
        self.assertEqual(self.send("garbage")["responses"][0].split()[1], "400")
        self.assertGreaterEqual(self.dep.metric("sipwire_sip_local_responses_total", code="200"), 1)
        self.assertGreaterEqual(self.dep.metric("sipwire_sip_parse_errors_total",
                                                reason="bad_cseq"), 1)

    def test_3_large_invite_fragmented_both_ways(self):
        # 3,000 bytes: the kernel sends it as IPv4 fragments, sipwire-dp reassembles
        # it, dispatches it to the remaining switch as fragments, and relays the answer.
        reassembled = self.dep.metric("sipwire_ip_reassembled_total")
        result = self.send("invite", sdp_bytes=3000)
        self.assertGreater(result["sent_bytes"], 3000)
        self.assertIn("SIP/2.0 200 OK", result["responses"], result)
        self.assertEqual(self.dep.metric("sipwire_ip_reassembled_total") - reassembled, 1)

    def test_4_no_healthy_switch_gives_503(self):
        self.uas[1].stop()
        wait_until(lambda: self.states() == {"down"},
                   (DOWN_AFTER_MS + 3 * PROBE_INTERVAL_MS) / 1000 + 2, "every destination down")
        self.assertEqual(self.send("invite")["responses"][-1].split()[1], "503")


if __name__ == "__main__":
    harness.skip_unless_privileged()
    if shutil.which("sipp") is None:
        print("SKIP: sipp (package sip-tester) is not installed")
        sys.exit(harness.SKIP)
    unittest.main(verbosity=2)
