#!/usr/bin/env python3
"""Walking skeleton, end to end: sipwired + sipwire-dp started as the README starts
them, on a net_tap device in a network namespace. ARP, ICMP echo and UDP are sent from
the kernel side; the replies are checked byte by byte, and /metrics and
`sipwirectl stats` must count exactly what was sent.

usage: skeleton_test.py BUILD_DIR"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

BUILD_DIR = sys.argv.pop(1) if len(sys.argv) > 1 else "build"
RAWFRAMES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rawframes.py")
PORT = "net_tap0"


class Skeleton(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dep = harness.Deployment(BUILD_DIR, "sk")
        try:
            cls.dep.start()
        except Exception:
            sys.stderr.write(cls.dep.log("sipwired") + cls.dep.log("sipwire-dp"))
            cls.dep.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.dep.__exit__(None, None, None)

    def counters(self):
        """Totals over lcores from /metrics and from `sipwirectl stats --json`."""
        d = self.dep
        from_metrics = {
            "rx": d.metric("sipwire_rx_packets_total", port=PORT),
            "tx": d.metric("sipwire_tx_packets_total", port=PORT),
            "arp": d.metric("sipwire_arp_replies_total", port=PORT),
            "icmp": d.metric("sipwire_icmp_echo_replies_total", port=PORT),
            "no_service": d.metric("sipwire_drops_total", port=PORT, reason="udp_no_service"),
            "dropped": d.metric("sipwire_dropped_packets_total", port=PORT),
        }
        stats = json.loads(d.ctl("stats", "--json").stdout)
        totals = {"rx": 0, "tx": 0, "arp": 0, "icmp": 0, "no_service": 0, "dropped": 0}
        for row in stats["ports"]:
            if row["port"] != PORT:
                continue
            c = row["counters"]
            totals["rx"] += c["rx_packets"]
            totals["tx"] += c["tx_packets"]
            totals["arp"] += c["arp_replies"]
            totals["icmp"] += c["icmp_echo_replies"]
            totals["dropped"] += c["dropped_packets"]
            totals["no_service"] += row["drops"].get("udp_no_service", 0)
        return from_metrics, totals

    def test_1_arp_icmp_udp_answered_and_counted_exactly(self):
        before_metrics, before_stats = self.counters()
        self.assertEqual(before_metrics, {k: float(v) for k, v in before_stats.items()})
        arp, icmp, udp = 3, 10, 7
        r = self.dep.in_netns(sys.executable, RAWFRAMES, self.dep.tap, self.dep.DP_IP,
                              str(arp), str(icmp), str(udp), "9999")
        sent = json.loads(r.stdout)
        self.assertEqual(sent["arp_replies_ok"], arp, sent)
        self.assertEqual(sent["icmp_replies_ok"], icmp, sent)
        self.assertEqual(sent["udp_sent"], udp, sent)

        after_metrics, after_stats = self.counters()
        expected = {"rx": arp + icmp + udp, "tx": arp + icmp, "arp": arp, "icmp": icmp,
                    "no_service": udp, "dropped": udp}
        for key, value in expected.items():
            self.assertEqual(after_metrics[key] - before_metrics[key], value, f"/metrics {key}")
            self.assertEqual(after_stats[key] - before_stats[key], value, f"stats {key}")

    def test_2_kernel_ping_through_real_stack(self):
        d = self.dep
        d.in_netns("ip", "addr", "add", f"{d.PEER_IP}/24", "dev", d.tap)
        try:
            r = d.in_netns("ping", "-c", "5", "-i", "0.2", "-W", "2", d.DP_IP, check=False)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("5 received", r.stdout)
        finally:
            d.in_netns("ip", "addr", "del", f"{d.PEER_IP}/24", "dev", d.tap, check=False)

    def test_3_status_and_liveness(self):
        status = json.loads(self.dep.ctl("status", "--json").stdout)
        self.assertTrue(status["dataplane"]["alive"])
        self.assertEqual(status["ports"][0]["name"], PORT)
        self.assertEqual(self.dep.metric("sipwire_dataplane_up"), 1.0)
        self.assertLess(self.dep.metric("sipwire_dataplane_heartbeat_age_seconds"), 2.0)
        human = self.dep.ctl("status").stdout
        self.assertIn(PORT, human)

    def test_4_bad_reload_keeps_running_config(self):
        d = self.dep
        generation = d.metric("sipwire_config_generation")
        good = d.config_text()
        d.write_config(good.replace("idle_sleep_us = 20", 'idle_sleep_us = "fast"'))
        r = d.ctl("config", "reload", check=False)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn(d.config_path, r.stdout + r.stderr)
        self.assertIn("idle_sleep_us", r.stdout + r.stderr)
        self.assertEqual(d.metric("sipwire_config_generation"), generation)
        # The data plane still answers.
        sent = json.loads(d.in_netns(sys.executable, RAWFRAMES, d.tap, d.DP_IP,
                                     "1", "2", "0", "9999").stdout)
        self.assertEqual(sent["icmp_replies_ok"], 2)

        d.write_config(good.replace("idle_sleep_us = 20", "idle_sleep_us = 10"))
        r = d.ctl("config", "reload")
        self.assertEqual(d.metric("sipwire_config_generation"), generation + 1)
        d.wait_for(lambda: d.metric("sipwire_config_generation_acked") >= generation + 1,
                   "workers to acknowledge the new generation", timeout=5)

    def test_5_sighup_reload(self):
        d = self.dep
        generation = d.metric("sipwire_config_generation")
        d.write_config(d.config_text(idle_sleep_us=30))
        d.sipwired.send_signal(1)  # SIGHUP
        d.wait_for(lambda: d.metric("sipwire_config_generation") == generation + 1,
                   "SIGHUP reload", timeout=5)

    def test_6_controlplane_restart_keeps_dataplane_forwarding(self):
        d = self.dep
        d.stop_process(d.sipwired)
        self.assertTrue(os.path.exists("/dev/shm/sipwire-" + d.instance),
                        "segment must outlive sipwired while sipwire-dp runs")
        sent = json.loads(d.in_netns(sys.executable, RAWFRAMES, d.tap, d.DP_IP,
                                     "1", "3", "0", "9999").stdout)
        self.assertEqual(sent["icmp_replies_ok"], 3, "data plane must forward without sipwired")
        d.start_sipwired()
        self.assertEqual(d.metric("sipwire_dataplane_up"), 1.0)
        self.assertGreaterEqual(d.metric("sipwire_icmp_echo_replies_total", port=PORT), 15)

    def test_7_shutdown_removes_segment(self):
        d = self.dep
        d.stop_process(d.dataplane)
        self.assertEqual(d.dataplane.returncode, 0, d.log("sipwire-dp"))
        self.assertEqual(d.metric("sipwire_dataplane_up"), 0.0)
        d.stop_process(d.sipwired)
        self.assertEqual(d.sipwired.returncode, 0, d.log("sipwired"))
        self.assertFalse(os.path.exists("/dev/shm/sipwire-" + d.instance))
        r = d.ctl("status", check=False)
        self.assertEqual(r.returncode, 3, "sipwirectl must say sipwired is not running")


if __name__ == "__main__":
    harness.skip_unless_privileged()
    unittest.main(verbosity=2)
