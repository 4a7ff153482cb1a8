// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net-test: drives vsva's virtio-net on `--network user` (slirp)
 * with hand-built frames, polling (no interrupts):
 *   1. config: MAC, link up, MTU 1500;
 *   2. DHCP DISCOVER -> an OFFER from 10.0.2.2 for 10.0.2.15 (router
 *      10.0.2.2, DNS 10.0.2.3), header and frame in separate descriptors;
 *      the receive buffers are posted 20 ms after the DISCOVER went out,
 *      so the OFFER usually waits in the device's backlog first (the
 *      unit tests check the backlog deterministically);
 *   3. hostile transmit chains (runt frame, short header, an ARP request
 *      for 10.0.2.3 with a device-writable buffer): each comes back used
 *      with length 0 and none reaches the network;
 *   4. ARP request for 10.0.2.2 (header and frame in one descriptor) ->
 *      reply, and no reply for 10.0.2.3 before it;
 *   5. ICMP echo to 10.0.2.2 -> echo reply with the same payload;
 *   6. TCP SYN to 10.0.2.2:TCP_PORT, which slirp turns into a connect() to
 *      the host's 127.0.0.1:TCP_PORT: a SYN-ACK or a RST must come back
 *      (through slirp's socket polling).  Run with
 *      --network user,hostfwd=tcp::TCP_PORT-:TCP_GUEST_PORT and the host
 *      end is vsva's own forward, which connects back to the guest: a SYN
 *      for 10.0.2.15:TCP_GUEST_PORT must arrive too.
 * With a virtio-iommu present (--viommu on) the device is attached to a
 * domain mapping IOVA [IOVA_BASE, +low RAM) onto guest-physical
 * [0, low RAM), and is handed IOVAs only: every ring and buffer access
 * must go through the translation.
 * Exit 0 on success, 1 on failure, 2 if there is no virtio-net device.
 */
#include <string.h>

#include "console.h"
#include "cpu.h"
#include "dt.h"
#include "fw.h"
#include "pci.h"
#include "tsc.h"
#include "viommu.h"
#include "virtio-pci.h"

#define VIRTIO_ID_NET		1
#define NET_F_MTU		3
#define NET_F_MAC		5
#define NET_F_STATUS		16
#define NET_S_LINK_UP		1

#define HDR_LEN			12	/* virtio_net_hdr with VERSION_1 */
#define FRAME_MAX		1518
#define NR_RX			8
#define QSIZE			16
#define TIMEOUT_MS		5000

#define ETH_HLEN		14
#define ETH_P_IP		0x0800
#define ETH_P_ARP		0x0806
#define IP_GATEWAY		0x0a000202u
#define IP_DNS			0x0a000203u
#define IP_GUEST		0x0a00020fu
#define DHCP_XID		0x76737661u	/* "vsva" */
#define ICMP_ID			0x7673
#define ICMP_SEQ		1
#define ICMP_DATA		32
#define TCP_PORT		30323	/* "vs" */
#define TCP_GUEST_PORT		7
#define TCP_SRC_PORT		40000
#define TCP_SEQ			0x12345678u
#define TCP_SYN			0x02
#define TCP_RST			0x04
#define TCP_ACK			0x10

#define IOVA_BASE		0x4000000000ULL	/* 256 GiB */

#define EXIT_FAIL		1
#define EXIT_ABSENT		2

struct net {
	struct virtio_dev vd;
	struct virtq rx, tx;
	u8 mac[6];
	u8 gw_mac[6];
	bool saw_dns_arp;	/* an ARP reply for 10.0.2.3 came */
	bool tcp_accepted;	/* SYN-ACK (else RST) from TCP_PORT */
	bool tcp_forwarded;	/* a SYN for TCP_GUEST_PORT came */
};

static u8 rx_buf[NR_RX][HDR_LEN + FRAME_MAX] __attribute__((aligned(64)));
static u8 tx_hdr[HDR_LEN];
static u8 tx_frame[HDR_LEN + FRAME_MAX];
static u8 tx_extra[64];

/* --- bytes on the wire (big endian) --- */

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 get32(const u8 *p)
{
	return (u32)get16(p) << 16 | get16(p + 2);
}

static u16 csum(const u8 *p, u32 len)
{
	u32 sum = 0;

	for (u32 i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

static void ip_str(u32 a, char *buf)
{
	static const char digits[] = "0123456789";
	char *p = buf;

	for (int i = 3; i >= 0; i--) {
		u8 b = a >> (8 * i);

		if (b >= 100)
			*p++ = digits[b / 100];
		if (b >= 10)
			*p++ = digits[b / 10 % 10];
		*p++ = digits[b % 10];
		*p++ = i ? '.' : '\0';
	}
}

static u8 *eth(u8 *f, const u8 *dst, const u8 *src, u16 type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
	return f + ETH_HLEN;
}

/* An IPv4 header for @payload bytes; returns where the payload goes. */
static u8 *ip(u8 *p, u8 proto, u32 src, u32 dst, u16 payload, u16 id)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, 20 + payload);
	put16(p + 4, id);
	p[8] = 64;
	p[9] = proto;
	put32(p + 12, src);
	put32(p + 16, dst);
	put16(p + 10, csum(p, 20));
	return p + 20;
}

/* --- the device --- */

static int find_device(const void *fdt, struct dt_pci_dev *dev)
{
	if (!dt__pci_find(fdt, "virtio-net", dev))
		return 0;
	*dev = (struct dt_pci_dev){ 0 };
	return pci__scan(VIRTIO_PCI_VENDOR,
			 VIRTIO_PCI_DEVICE_MODERN(VIRTIO_ID_NET), &dev->bdf);
}

static u64 iova_of(void *ctx, u64 pa)
{
	return IOVA_BASE + pa;
}

/* Behind a vIOMMU: attach the device, map low RAM at IOVA_BASE. */
static int viommu_setup(const void *fdt, const struct dt_pci_dev *dev)
{
	static struct viommu vi;
	struct dt_pci_dev idev;
	struct dt_region r[DT_MAX_REGIONS];
	u32 dom, ep = dev->has_iommu_ep ? dev->iommu_ep : dev->bdf;
	int nr, s;

	if (viommu__find(fdt, &idev))
		return 0;
	nr = dt__memory(fdt, r, DT_MAX_REGIONS);
	if (nr < 1 || r[0].base || r[0].size < (16 << 20) ||
	    viommu__init(&vi, idev.bdf)) {
		puts("virtio-net: FAIL: vIOMMU set-up");
		return -1;
	}
	if (!viommu__has(&vi, VIRTIO_IOMMU_F_MAP_UNMAP)) {
		printf("virtio-net: FAIL: the vIOMMU does not offer MAP_UNMAP (features %#llx)\n",
		       (unsigned long long)vi.vd.features);
		return -1;
	}
	dom = MAX(vi.cfg.domain_range.start, 1u);
	s = viommu__attach(&vi, dom, ep, 0);
	if (s == VIRTIO_IOMMU_S_OK)
		s = viommu__map(&vi, dom, IOVA_BASE, IOVA_BASE + r[0].size - 1,
				0, VIRTIO_IOMMU_MAP_F_READ |
				VIRTIO_IOMMU_MAP_F_WRITE);
	if (s != VIRTIO_IOMMU_S_OK) {
		printf("virtio-net: FAIL: vIOMMU attach/map: %s\n",
		       viommu__status_str(s));
		return -1;
	}
	printf("virtio-net: behind the vIOMMU: endpoint %#x, IOVA %#llx = PA 0, %llu MiB\n",
	       ep, (unsigned long long)IOVA_BASE,
	       (unsigned long long)(r[0].size >> 20));
	return 1;
}

static int post_rx(struct net *n, int i)
{
	struct virtq_buf b = { .addr = rx_buf[i], .len = sizeof(rx_buf[i]),
			       .device_writes = true };

	return virtq__add(&n->rx, &b, 1, rx_buf[i]);
}

static int start(struct net *n, u16 bdf, bool iommu)
{
	u16 status, mtu;
	int ret;

	ret = virtio_pci__init(&n->vd, bdf);
	if (!ret)
		ret = virtio_pci__negotiate(&n->vd, BIT_ULL(NET_F_MAC) |
					    BIT_ULL(NET_F_STATUS) |
					    BIT_ULL(NET_F_MTU));
	if (ret)
		return ret;
	if (iommu)
		virtio_pci__set_dma(&n->vd, iova_of, NULL);
	if (!virtio_pci__has_feature(&n->vd, NET_F_MAC) ||
	    !virtio_pci__has_feature(&n->vd, NET_F_STATUS)) {
		printf("virtio-net: FAIL: features %#llx lack MAC or STATUS\n",
		       (unsigned long long)n->vd.features);
		return -1;
	}
	for (int i = 0; i < 6; i++)
		n->mac[i] = virtio_pci__config_read8(&n->vd, i);
	status = virtio_pci__config_read16(&n->vd, 6);
	mtu = virtio_pci__config_read16(&n->vd, 10);
	printf("virtio-net: mac %02x:%02x:%02x:%02x:%02x:%02x status %#x mtu %u features %#llx\n",
	       n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4],
	       n->mac[5], status, mtu, (unsigned long long)n->vd.features);
	if (!(status & NET_S_LINK_UP) || (n->mac[0] & 1) ||
	    (virtio_pci__has_feature(&n->vd, NET_F_MTU) && mtu != 1500)) {
		puts("virtio-net: FAIL: link down, multicast MAC or bad MTU");
		return -1;
	}
	ret = virtio_pci__setup_queue(&n->vd, &n->rx, 0, QSIZE);
	if (!ret)
		ret = virtio_pci__setup_queue(&n->vd, &n->tx, 1, QSIZE);
	if (!ret)
		ret = virtio_pci__driver_ok(&n->vd);
	return ret;
}

static int post_all_rx(struct net *n)
{
	u64 later = tsc__deadline(20);

	while (!tsc__expired(later))
		cpu_relax();
	for (int i = 0; i < NR_RX; i++) {
		if (post_rx(n, i)) {
			printf("virtio-net: FAIL: post: %s\n", n->rx.error);
			return -1;
		}
	}
	return 0;
}

/* Queue a transmit chain and wait for it to come back. */
static int send_chain(struct net *n, const struct virtq_buf *b, int nb,
		      const char *what)
{
	void *token;
	u32 len;
	int ret;

	ret = virtq__add(&n->tx, b, nb, (void *)what);
	if (!ret)
		ret = virtq__wait(&n->tx, &token, &len, TIMEOUT_MS);
	if (ret) {
		printf("virtio-net: FAIL: transmit %s: %d (%s)\n", what, ret,
		       n->tx.error);
		return -1;
	}
	if (token != (void *)what || len) {
		printf("virtio-net: FAIL: transmit %s came back wrong (len %u)\n",
		       what, len);
		return -1;
	}
	return 0;
}

/* Header and frame in two descriptors. */
static int send_split(struct net *n, u32 len, const char *what)
{
	struct virtq_buf b[2] = {
		{ .addr = tx_hdr, .len = HDR_LEN },
		{ .addr = tx_frame + HDR_LEN, .len = len },
	};

	memset(tx_hdr, 0, sizeof(tx_hdr));
	return send_chain(n, b, 2, what);
}

/* Header and frame in one descriptor. */
static int send_one(struct net *n, u32 len, const char *what)
{
	struct virtq_buf b = { .addr = tx_frame, .len = HDR_LEN + len };

	memset(tx_frame, 0, HDR_LEN);
	return send_chain(n, &b, 1, what);
}

/*
 * Wait for a frame @match accepts; every frame seen is handed to it and
 * its buffer posted again.  0, 1 on timeout (a failure only if @must:
 * then -1), -1 on a bad completion.
 */
static int wait_frame_for(struct net *n, bool (*match)(struct net *n,
						       const u8 *f, u32 len),
			  const char *what, bool must)
{
	u64 deadline = tsc__deadline(TIMEOUT_MS);
	void *token;
	u32 len;
	int ret, i;

	for (;;) {
		ret = virtq__get_used(&n->rx, &token, &len);
		if (ret < 0) {
			printf("virtio-net: FAIL: receive queue: %s\n",
			       n->rx.error);
			return -1;
		}
		if (!ret) {
			if (tsc__expired(deadline)) {
				if (!must)
					return 1;
				printf("virtio-net: FAIL: no %s\n", what);
				return -1;
			}
			cpu_relax();
			continue;
		}
		i = (int)(((u8 *)token - rx_buf[0]) / sizeof(rx_buf[0]));
		if (i < 0 || i >= NR_RX || token != rx_buf[i] ||
		    len < HDR_LEN + ETH_HLEN ||
		    get16(rx_buf[i] + 10) != 0x0100 /* num_buffers 1, LE */ ||
		    rx_buf[i][0] || rx_buf[i][1]) {
			printf("virtio-net: FAIL: bad receive completion (len %u)\n",
			       len);
			return -1;
		}
		ret = match(n, rx_buf[i] + HDR_LEN, len - HDR_LEN);
		if (post_rx(n, i)) {
			printf("virtio-net: FAIL: repost: %s\n", n->rx.error);
			return -1;
		}
		if (ret)
			return 0;
	}
}

static int wait_frame(struct net *n, bool (*match)(struct net *n,
						   const u8 *f, u32 len),
		      const char *what)
{
	return wait_frame_for(n, match, what, true);
}

/* --- DHCP --- */

static u32 dhcp_build(struct net *n)
{
	static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	/* BOOTP fixed part 236 + 312 bytes of options: slirp wants them. */
	const u16 bootp_len = 236 + 312;
	u8 *f = tx_frame + HDR_LEN, *p;

	memset(f, 0, ETH_HLEN + 20 + 8 + bootp_len);
	p = eth(f, bcast, n->mac, ETH_P_IP);
	p = ip(p, 17, 0, 0xffffffffu, 8 + bootp_len, 1);
	put16(p, 68);
	put16(p + 2, 67);
	put16(p + 4, 8 + bootp_len);
	p += 8;				/* UDP checksum 0: none */
	p[0] = 1;			/* BOOTREQUEST */
	p[1] = 1;			/* Ethernet */
	p[2] = 6;
	put32(p + 4, DHCP_XID);
	put16(p + 10, 0x8000);		/* broadcast */
	memcpy(p + 28, n->mac, 6);
	put32(p + 236, 0x63825363);	/* magic cookie */
	p[240] = 53;			/* message type */
	p[241] = 1;
	p[242] = 1;			/* DISCOVER */
	p[243] = 255;
	return ETH_HLEN + 20 + 8 + bootp_len;
}

/* Option @code of the DHCP message at @opt (@len bytes), or NULL. */
static const u8 *dhcp_opt(const u8 *opt, u32 len, u8 code, u8 *olen)
{
	u32 i = 0;

	while (i < len) {
		if (opt[i] == 255)
			break;
		if (opt[i] == 0) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + opt[i + 1] > len)
			break;
		if (opt[i] == code) {
			*olen = opt[i + 1];
			return opt + i + 2;
		}
		i += 2 + opt[i + 1];
	}
	return NULL;
}

static bool is_offer(struct net *n, const u8 *f, u32 len)
{
	const u8 *p, *o, *opts;
	u32 ihl, olen_all;
	u8 olen;
	char a[16], b[16], c[16];

	if (len < ETH_HLEN + 20 || get16(f + 12) != ETH_P_IP)
		return false;
	p = f + ETH_HLEN;
	ihl = (p[0] & 15) * 4u;
	if ((p[0] >> 4) != 4 || ihl < 20 || p[9] != 17 ||
	    len < ETH_HLEN + ihl + 8 + 240)
		return false;
	if (get32(p + 12) != IP_GATEWAY)
		return false;
	p += ihl;
	if (get16(p) != 67 || get16(p + 2) != 68)
		return false;
	p += 8;
	if (p[0] != 2 || get32(p + 4) != DHCP_XID ||
	    get32(p + 236) != 0x63825363 || memcmp(p + 28, n->mac, 6))
		return false;
	opts = p + 240;
	olen_all = len - (u32)(opts - f);
	o = dhcp_opt(opts, olen_all, 53, &olen);
	if (!o || olen != 1 || o[0] != 2)
		return false;
	ip_str(get32(p + 16), a);
	printf("virtio-net: DHCP OFFER from 10.0.2.2: %s", a);
	o = dhcp_opt(opts, olen_all, 3, &olen);
	ip_str(o && olen >= 4 ? get32(o) : 0, b);
	o = dhcp_opt(opts, olen_all, 6, &olen);
	ip_str(o && olen >= 4 ? get32(o) : 0, c);
	printf(", router %s, dns %s\n", b, c);
	if (get32(p + 16) != IP_GUEST || strcmp(b, "10.0.2.2") ||
	    strcmp(c, "10.0.2.3")) {
		puts("virtio-net: FAIL: not the offer expected");
		fw__exit(EXIT_FAIL);
	}
	return true;
}

/* --- ARP --- */

static u32 arp_build(struct net *n, u32 target)
{
	static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	u8 *f = tx_frame + HDR_LEN, *p;

	memset(f, 0, 60);
	p = eth(f, bcast, n->mac, ETH_P_ARP);
	put16(p, 1);
	put16(p + 2, ETH_P_IP);
	p[4] = 6;
	p[5] = 4;
	put16(p + 6, 1);		/* request */
	memcpy(p + 8, n->mac, 6);
	put32(p + 14, IP_GUEST);
	put32(p + 24, target);
	return 60;			/* padded to the Ethernet minimum */
}

static bool is_arp_reply(struct net *n, const u8 *f, u32 len)
{
	const u8 *p = f + ETH_HLEN;

	if (len < ETH_HLEN + 28 || get16(f + 12) != ETH_P_ARP ||
	    get16(p + 6) != 2 || get32(p + 24) != IP_GUEST ||
	    memcmp(p + 18, n->mac, 6))
		return false;
	if (get32(p + 14) == IP_DNS)
		n->saw_dns_arp = true;
	if (get32(p + 14) != IP_GATEWAY)
		return false;
	memcpy(n->gw_mac, p + 8, 6);
	printf("virtio-net: ARP: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x\n",
	       p[8], p[9], p[10], p[11], p[12], p[13]);
	return true;
}

/* --- ICMP echo --- */

static u32 ping_build(struct net *n)
{
	u8 *f = tx_frame + HDR_LEN, *p;

	p = eth(f, n->gw_mac, n->mac, ETH_P_IP);
	p = ip(p, 1, IP_GUEST, IP_GATEWAY, 8 + ICMP_DATA, 2);
	p[0] = 8;			/* echo request */
	p[1] = 0;
	put16(p + 2, 0);
	put16(p + 4, ICMP_ID);
	put16(p + 6, ICMP_SEQ);
	for (int i = 0; i < ICMP_DATA; i++)
		p[8 + i] = (u8)(0xa0 + i);
	put16(p + 2, csum(p, 8 + ICMP_DATA));
	return ETH_HLEN + 20 + 8 + ICMP_DATA;
}

static bool is_pong(struct net *n, const u8 *f, u32 len)
{
	const u8 *p = f + ETH_HLEN;
	u32 ihl;

	if (len < ETH_HLEN + 20 || get16(f + 12) != ETH_P_IP)
		return false;
	ihl = (p[0] & 15) * 4u;
	if (ihl < 20 || p[9] != 1 || len < ETH_HLEN + ihl + 8 + ICMP_DATA ||
	    get32(p + 12) != IP_GATEWAY || get32(p + 16) != IP_GUEST)
		return false;
	p += ihl;
	if (p[0] != 0 || get16(p + 4) != ICMP_ID || get16(p + 6) != ICMP_SEQ)
		return false;
	for (int i = 0; i < ICMP_DATA; i++) {
		if (p[8 + i] != (u8)(0xa0 + i)) {
			puts("virtio-net: FAIL: echo reply payload differs");
			fw__exit(EXIT_FAIL);
		}
	}
	puts("virtio-net: ICMP echo reply from 10.0.2.2");
	return true;
}

/* --- TCP --- */

static u16 tcp_csum(const u8 *ip_hdr, const u8 *seg, u16 len)
{
	static u8 buf[12 + 60];
	u32 n = MIN(len, (u16)60);

	memcpy(buf, ip_hdr + 12, 8);	/* source and destination */
	buf[8] = 0;
	buf[9] = 6;
	put16(buf + 10, len);
	memcpy(buf + 12, seg, n);
	return csum(buf, 12 + n);
}

static u32 syn_build(struct net *n)
{
	u8 *f = tx_frame + HDR_LEN, *iph, *p;

	iph = eth(f, n->gw_mac, n->mac, ETH_P_IP);
	p = ip(iph, 6, IP_GUEST, IP_GATEWAY, 20, 3);
	memset(p, 0, 20);
	put16(p, TCP_SRC_PORT);
	put16(p + 2, TCP_PORT);
	put32(p + 4, TCP_SEQ);
	p[12] = 5 << 4;			/* 20-byte header */
	p[13] = TCP_SYN;
	put16(p + 14, 8192);		/* window */
	put16(p + 16, tcp_csum(iph, p, 20));
	return ETH_HLEN + 20 + 20;
}

static bool is_tcp_answer(struct net *n, const u8 *f, u32 len)
{
	const u8 *p = f + ETH_HLEN;
	u32 ihl;
	u8 fl;

	if (len < ETH_HLEN + 20 || get16(f + 12) != ETH_P_IP)
		return false;
	ihl = (p[0] & 15) * 4u;
	if (ihl < 20 || p[9] != 6 || len < ETH_HLEN + ihl + 20 ||
	    get32(p + 16) != IP_GUEST)
		return false;
	p += ihl;
	fl = p[13];
	if (get16(p + 2) == TCP_GUEST_PORT && (fl & (TCP_SYN | TCP_ACK)) ==
	    TCP_SYN) {
		if (!n->tcp_forwarded)
			puts("virtio-net: TCP: forwarded SYN for port 7 from the host");
		n->tcp_forwarded = true;
		return false;
	}
	if (get16(p) != TCP_PORT || get16(p + 2) != TCP_SRC_PORT)
		return false;
	if ((fl & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) &&
	    get32(p + 8) == TCP_SEQ + 1) {
		puts("virtio-net: TCP: SYN-ACK from 10.0.2.2 (the host accepted)");
		n->tcp_accepted = true;
		return true;
	}
	if (fl & TCP_RST) {
		puts("virtio-net: TCP: RST from 10.0.2.2 (nothing listens)");
		return true;
	}
	return false;
}

static bool is_forwarded(struct net *n, const u8 *f, u32 len)
{
	is_tcp_answer(n, f, len);
	return n->tcp_forwarded;
}

/* An answer to our SYN; then, if the host accepted, vsva's forward. */
static int tcp_test(struct net *n)
{
	if (send_one(n, syn_build(n), "TCP SYN") ||
	    wait_frame(n, is_tcp_answer, "TCP answer"))
		return -1;
	if (!n->tcp_accepted || n->tcp_forwarded)
		return 0;
	switch (wait_frame_for(n, is_forwarded, "forwarded SYN", false)) {
	case 0:
		return 0;
	case 1:
		puts("virtio-net: TCP: no forwarded connection (someone else listens)");
		return 0;
	default:
		return -1;
	}
}

/* --- hostile transmit chains --- */

static int send_hostile(struct net *n)
{
	struct virtq_buf b[3] = {
		{ .addr = tx_hdr, .len = HDR_LEN },
		{ .addr = tx_frame + HDR_LEN, .len = 4 },
	};
	u32 len;

	memset(tx_hdr, 0, sizeof(tx_hdr));
	/* A 4-byte "frame". */
	if (send_chain(n, b, 2, "runt frame"))
		return -1;
	/* An 8-byte header and nothing else. */
	b[0].len = 8;
	if (send_chain(n, b, 1, "short header"))
		return -1;
	/* A good ARP request, but with a device-writable buffer. */
	len = arp_build(n, IP_DNS);
	b[0].len = HDR_LEN;
	b[1].len = len;
	b[2] = (struct virtq_buf){ .addr = tx_extra, .len = sizeof(tx_extra),
				   .device_writes = true };
	return send_chain(n, b, 3, "chain with a writable buffer");
}

int payload__main(const void *fdt)
{
	static struct net n;
	struct dt_pci_dev dev;
	int iommu;

	if (find_device(fdt, &dev)) {
		puts("virtio-net: no virtio-net device (run vsva with --network user)");
		return EXIT_ABSENT;
	}
	printf("virtio-net: device at %02x:%02x.%x\n", PCI_BUS(dev.bdf),
	       PCI_DEV(dev.bdf), PCI_FN(dev.bdf));
	iommu = viommu_setup(fdt, &dev);
	if (iommu < 0 || start(&n, dev.bdf, iommu))
		goto fail;

	if (send_split(&n, dhcp_build(&n), "DHCP DISCOVER") ||
	    post_all_rx(&n) || wait_frame(&n, is_offer, "DHCP OFFER"))
		goto fail;
	if (send_hostile(&n))
		goto fail;
	puts("virtio-net: hostile transmit chains returned unsent");
	if (send_one(&n, arp_build(&n, IP_GATEWAY), "ARP request") ||
	    wait_frame(&n, is_arp_reply, "ARP reply"))
		goto fail;
	if (n.saw_dns_arp) {
		puts("virtio-net: FAIL: the refused ARP request reached the network");
		goto fail;
	}
	if (send_split(&n, ping_build(&n), "ICMP echo") ||
	    wait_frame(&n, is_pong, "ICMP echo reply"))
		goto fail;
	if (tcp_test(&n))
		goto fail;
	virtio_pci__reset(&n.vd);
	puts("virtio-net: ok");
	return 0;
fail:
	if (n.vd.common)
		virtio_pci__fail(&n.vd);
	puts("virtio-net: FAIL");
	return EXIT_FAIL;
}
