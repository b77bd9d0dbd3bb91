#!/usr/bin/env python3
"""Multi-homed forwarding with real peers: sipwire-dp with two net_tap ports, phones
on port 0 (192.0.2.0/24) and a switch on port 1 (198.51.100.0/24). A sipp phone on
192.0.2.2 places 200 calls through sipwire-dp, which dispatches them to a sipp switch
on 198.51.100.11 and sends them out of port 1 from 198.51.100.1.

The scenarios (scenarios/multihomed_*.xml) check every hop: the switch sees
sipwire's Via with 198.51.100.1 and the double Record-Route
"<sip:198.51.100.1:5060;lr>, <sip:192.0.2.1:5060;lr>" (RFC 5658); the phone sees the
same Record-Route in the 200 and sends its ACK with that route set to the switch's
contact; the switch hangs up with a BYE routed the same way, which reaches the phone
with both of sipwire's Route values removed and sipwire's Via with 192.0.2.1. A
datagram sent from the wrong address would reach a peer that cannot match it (or be
answered on the wrong side), and its call would fail.

usage: multihomed_test.py BUILD_DIR"""
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from sipp import Sipp, wait_until  # noqa: E402

BUILD_DIR = sys.argv.pop(1) if len(sys.argv) > 1 else "build"
SCENARIOS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")
PHONE = "192.0.2.2"
SWITCH = "198.51.100.11"
CALLS = 200
CONFIG = f"""
[dispatcher]
set = "switches"
probe_interval_ms = 500
probe_from_port = 1

[[destination_set]]
name = "switches"
destinations = [ {{ address = "{SWITCH}:5060", weight = 1 }} ]
"""


class Multihomed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dep = harness.Deployment(BUILD_DIR, "mh", extra_config=CONFIG, second_port=True)
        cls.switch = None
        try:
            cls.dep.start()
            cls.dep.add_peer_address(PHONE)
            cls.dep.add_peer_address(SWITCH, cls.dep.tap_b)
            cls.switch = Sipp(cls.dep, "switch",
                              ["-sf", os.path.join(SCENARIOS, "multihomed_uas.xml"),
                               "-i", SWITCH, "-p", "5060", "-aa"])
            wait_until(cls.switch_up, 15, "the switch answering health probes")
            # Both sides' neighbours known before the first call: no datagram dropped
            # while ARP resolves, so no INVITE retransmission is dispatched twice.
            for source, target in ((PHONE, cls.dep.DP_IP), (SWITCH, cls.dep.DP_IP_B)):
                cls.dep.in_netns("ping", "-c", "3", "-i", "0.2", "-W", "2", "-I", source, target,
                                 check=False)
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.switch is not None:
            cls.switch.stop()
        cls.dep.__exit__(None, None, None)

    @classmethod
    def switch_up(cls):
        return cls.dep.metric("sipwire_dispatcher_destination_up",
                              destination=f"{SWITCH}:5060") == 1.0

    def test_calls_cross_the_two_ports(self):
        phone = Sipp(self.dep, "phone",
                     ["-sf", os.path.join(SCENARIOS, "multihomed_uac.xml"),
                      f"{self.dep.DP_IP}:5060", "-i", PHONE, "-p", "5070",
                      "-m", str(CALLS), "-r", "100", "-timeout", "120s", "-timeout_error"])
        try:
            code = phone.wait(timeout=150)
        finally:
            phone.stop()
        self.assertEqual(phone.count("SuccessfulCall(C)"), CALLS, phone.errors())
        self.assertEqual(phone.count("FailedCall(C)"), 0, phone.errors())
        self.assertEqual(code, 0, phone.errors())

        # The switch's statistics are dumped every second.
        try:
            wait_until(lambda: self.switch.count("SuccessfulCall(C)") >= CALLS, 15,
                       "switch statistics")
        except TimeoutError:
            pass
        self.assertEqual(self.switch.count("SuccessfulCall(C)"), CALLS, self.switch.errors())
        self.assertEqual(self.switch.count("FailedCall(C)"), 0, self.switch.errors())

        # Only the INVITEs are dispatched: the ACKs and BYEs follow the route set.
        self.assertEqual(self.dep.metric("sipwire_dispatcher_requests_total"), CALLS)
        # Health probes leave by port 1 from its address and their answers are punted.
        self.assertGreater(self.dep.metric("sipwire_sip_responses_punted_total"), 0)


if __name__ == "__main__":
    harness.skip_unless_privileged()
    if shutil.which("sipp") is None:
        print("SKIP: sipp (package sip-tester) is not installed")
        sys.exit(harness.SKIP)
    unittest.main(verbosity=2)
