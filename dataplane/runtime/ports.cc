#include "runtime/ports.h"

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <cstdio>
#include <cstring>

#include "sipwire/log.h"

namespace sipwire::dp {

namespace {

std::string available_ports() {
    std::string list;
    uint16_t id;
    RTE_ETH_FOREACH_DEV(id) {
        char name[RTE_ETH_NAME_MAX_LEN];
        if (rte_eth_dev_get_name_by_port(id, name) == 0) {
            if (!list.empty()) list += ", ";
            list += name;
        }
    }
    return list.empty() ? "none" : list;
}

bool configure_port(uint16_t port_id, uint16_t queues, const BootConfig& boot,
                    rte_mempool* pool, std::string& error) {
    rte_eth_dev_info info{};
    if (int rc = rte_eth_dev_info_get(port_id, &info); rc != 0) {
        error = std::string("cannot read device info: ") + rte_strerror(-rc);
        return false;
    }
    if (queues > info.max_rx_queues || queues > info.max_tx_queues) {
        error = "device supports " + std::to_string(info.max_rx_queues) + " RX / " +
                std::to_string(info.max_tx_queues) + " TX queues, " + std::to_string(queues) +
                " workers need one each: run fewer lcores";
        return false;
    }
    rte_eth_conf conf{};
    if (queues > 1) {
        // RSS on addresses and UDP ports: each flow stays on one worker.
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf =
            (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
    }
    if (int rc = rte_eth_dev_configure(port_id, queues, queues, &conf); rc != 0) {
        error = std::string("cannot configure: ") + rte_strerror(-rc);
        return false;
    }
    uint16_t rx_desc = boot.rx_descriptors, tx_desc = boot.tx_descriptors;
    rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rx_desc, &tx_desc);
    const int socket = rte_eth_dev_socket_id(port_id);
    for (uint16_t q = 0; q < queues; ++q) {
        if (int rc = rte_eth_rx_queue_setup(port_id, q, rx_desc, socket, nullptr, pool); rc != 0) {
            error = "cannot set up RX queue " + std::to_string(q) + ": " + rte_strerror(-rc);
            return false;
        }
        if (int rc = rte_eth_tx_queue_setup(port_id, q, tx_desc, socket, nullptr); rc != 0) {
            error = "cannot set up TX queue " + std::to_string(q) + ": " + rte_strerror(-rc);
            return false;
        }
    }
    if (int rc = rte_eth_dev_start(port_id); rc != 0) {
        error = std::string("cannot start: ") + rte_strerror(-rc);
        return false;
    }
    // Multicast and broadcast ARP must reach us; promiscuous stays off.
    rte_eth_allmulticast_enable(port_id);
    return true;
}

void publish_status(uint16_t port_id, const char* name, uint16_t queues, PortStatus& status) {
    std::snprintf(status.name, sizeof status.name, "%s", name);
    rte_eth_dev_info info{};
    rte_eth_dev_info_get(port_id, &info);
    std::snprintf(status.driver, sizeof status.driver, "%s",
                  info.driver_name ? info.driver_name : "");
    rte_ether_addr mac{};
    rte_eth_macaddr_get(port_id, &mac);
    std::memcpy(status.mac, mac.addr_bytes, 6);
    status.dpdk_port_id = port_id;
    status.rx_queues = queues;
    status.tx_queues = queues;
}

}  // namespace

bool start_ports(const BootConfig& boot, uint16_t queues, const SegmentView& seg,
                 PortSetup& out, std::string& error) {
    out = PortSetup{};
    for (uint32_t i = 0; i < boot.port_count && i < kMaxPorts; ++i) {
        const char* name = boot.port_names[i];
        uint16_t port_id;
        if (rte_eth_dev_get_port_by_name(name, &port_id) != 0) {
            error = std::string("port '") + name + "' not found (DPDK sees: " +
                    available_ports() +
                    "); check [[port]] name and the --vdev / -a arguments in dataplane.eal_args";
            return false;
        }
        char pool_name[RTE_MEMPOOL_NAMESIZE];
        std::snprintf(pool_name, sizeof pool_name, "mbufs_p%u", i);
        rte_mempool* pool = rte_pktmbuf_pool_create(pool_name, boot.mbufs_per_port, 256, 0,
                                                    RTE_MBUF_DEFAULT_BUF_SIZE,
                                                    rte_eth_dev_socket_id(port_id));
        if (!pool) {
            error = std::string("cannot allocate ") + std::to_string(boot.mbufs_per_port) +
                    " packet buffers for port '" + name + "': " + rte_strerror(rte_errno) +
                    "; raise -m in dataplane.eal_args or lower dataplane.mbufs_per_port";
            return false;
        }
        if (!configure_port(port_id, queues, boot, pool, error)) {
            error = std::string("port '") + name + "': " + error;
            return false;
        }
        out.dpdk_port_id[i] = port_id;
        out.pools[i] = pool;
        out.count = i + 1;
        publish_status(port_id, name, queues, seg.port(i));
        SIPWIRE_LOG_INFO("port %u '%s' started: dpdk port %u, %u queue(s)", i, name, port_id,
                         queues);
    }
    update_link_status(out, seg);
    return true;
}

void update_link_status(const PortSetup& ports, const SegmentView& seg) {
    for (uint32_t i = 0; i < ports.count; ++i) {
        rte_eth_link link{};
        if (rte_eth_link_get_nowait(ports.dpdk_port_id[i], &link) != 0) continue;
        seg.port(i).link_up.store(link.link_status == RTE_ETH_LINK_UP);
        seg.port(i).link_speed_mbps.store(link.link_speed);
    }
}

void stop_ports(const PortSetup& ports) {
    for (uint32_t i = 0; i < ports.count; ++i) {
        rte_eth_dev_stop(ports.dpdk_port_id[i]);
        rte_eth_dev_close(ports.dpdk_port_id[i]);
    }
}

}  // namespace sipwire::dp
