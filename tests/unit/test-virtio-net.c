// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net's pure parts: transmit chains to frames, frames into receive
 * chains, and `--network` parsing.  Chains are built directly from host
 * buffers, the way virtq__pop() hands them to the device.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/run.h>
#include <vsva/virtio-net.h>

static struct virtq_chain *c;

static void setup(void)
{
	c = calloc(1, sizeof(*c));
	cr_assert(c);
}

static void teardown(void)
{
	free(c);
}

/* Append a segment; readable ones must come first, as virtq__pop() ensures. */
static void seg(void *p, u32 len, bool write)
{
	cr_assert_lt(c->nr_segs, VIRTQ_MAX_SEGS);
	c->seg[c->nr_segs++] = (struct virtq_seg){ p, len, write };
	if (write) {
		c->nr_in++;
		c->in_len += len;
	} else {
		cr_assert_eq(c->nr_in, 0, "readable after writable");
		c->nr_out++;
		c->out_len += len;
	}
}

static void fill(u8 *p, size_t n, u8 start)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (u8)(start + i * 7);
}

/* --- transmit --- */

TestSuite(net_tx, .init = setup, .fini = teardown);

Test(net_tx, header_and_frame_in_separate_buffers)
{
	u8 hdr[VIRTIO_NET_HDR_LEN] = { 0 }, frame[60], out[NET_FRAME_MAX];

	fill(frame, sizeof(frame), 1);
	seg(hdr, sizeof(hdr), false);
	seg(frame, sizeof(frame), false);
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), 60);
	cr_assert_arr_eq(out, frame, 60);
}

Test(net_tx, any_layout)
{
	/* Header split 5 + 7, the last 7 header bytes sharing the frame's
	 * first buffer, then the frame in 3-byte pieces. */
	u8 buf[VIRTIO_NET_HDR_LEN + 100] = { 0 }, out[200];

	fill(buf + VIRTIO_NET_HDR_LEN, 100, 9);
	seg(buf, 5, false);
	seg(buf + 5, 7 + 10, false);
	for (u32 off = VIRTIO_NET_HDR_LEN + 10; off < sizeof(buf); off += 3)
		seg(buf + off, MIN(3u, (u32)sizeof(buf) - off), false);
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), 100);
	cr_assert_arr_eq(out, buf + VIRTIO_NET_HDR_LEN, 100);
}

Test(net_tx, short_header)
{
	u8 buf[VIRTIO_NET_HDR_LEN - 1] = { 0 }, out[64];

	seg(buf, sizeof(buf), false);
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), -EBADMSG);
}

Test(net_tx, empty_chain)
{
	u8 out[64];

	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), -EBADMSG);
}

Test(net_tx, frame_length_bounds)
{
	static u8 buf[VIRTIO_NET_HDR_LEN + NET_FRAME_MAX + 1];
	static u8 out[NET_FRAME_MAX + 1];

	/* Header alone, then one byte short of an Ethernet header. */
	seg(buf, VIRTIO_NET_HDR_LEN, false);
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), -EMSGSIZE);
	seg(buf + VIRTIO_NET_HDR_LEN, NET_ETH_HLEN - 1, false);
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), -EMSGSIZE);

	memset(c, 0, sizeof(*c));
	seg(buf, VIRTIO_NET_HDR_LEN + NET_ETH_HLEN, false);
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), NET_ETH_HLEN);

	memset(c, 0, sizeof(*c));
	fill(buf + VIRTIO_NET_HDR_LEN, NET_FRAME_MAX, 3);
	seg(buf, VIRTIO_NET_HDR_LEN + NET_FRAME_MAX, false);
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), NET_FRAME_MAX);
	cr_assert_arr_eq(out, buf + VIRTIO_NET_HDR_LEN, NET_FRAME_MAX);

	memset(c, 0, sizeof(*c));
	seg(buf, VIRTIO_NET_HDR_LEN + NET_FRAME_MAX + 1, false);
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), -E2BIG);
}

Test(net_tx, never_writes_past_the_buffer)
{
	u8 buf[VIRTIO_NET_HDR_LEN + 100] = { 0 }, out[64 + 16];

	memset(out, 0xee, sizeof(out));
	seg(buf, sizeof(buf), false);
	cr_assert_eq(net_frame__from_tx(c, out, 64), -E2BIG);
	for (size_t i = 0; i < sizeof(out); i++)
		cr_assert_eq(out[i], 0xee, "byte %zu written", i);
}

Test(net_tx, refuses_writable_buffers)
{
	u8 buf[VIRTIO_NET_HDR_LEN + 60] = { 0 }, wr[16], out[128];

	seg(buf, sizeof(buf), false);
	seg(wr, sizeof(wr), true);
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), -EINVAL);

	/* Only writable buffers. */
	memset(c, 0, sizeof(*c));
	seg(buf, sizeof(buf), true);
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), -EINVAL);
}

Test(net_tx, refuses_offloads_not_negotiated)
{
	u8 buf[VIRTIO_NET_HDR_LEN + 60] = { 0 }, out[128];
	struct virtio_net_hdr *h = (struct virtio_net_hdr *)buf;

	seg(buf, sizeof(buf), false);
	h->flags = 1;			/* NEEDS_CSUM */
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), -EPROTO);
	h->flags = 0;
	h->gso_type = 1;		/* TCPV4 */
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), -EPROTO);
	h->gso_type = 0;
	h->num_buffers = 7;		/* ignored on transmit */
	h->csum_start = 99;
	cr_assert_eq(net_frame__from_tx(c, out, sizeof(out)), 60);
}

/* --- receive --- */

TestSuite(net_rx, .init = setup, .fini = teardown);

static void check_hdr(const u8 *p)
{
	static const u8 want[VIRTIO_NET_HDR_LEN] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0	/* num_buffers = 1 */
	};

	cr_assert_arr_eq(p, want, VIRTIO_NET_HDR_LEN);
}

Test(net_rx, one_buffer)
{
	u8 buf[VIRTIO_NET_HDR_LEN + 1518], frame[1514];

	memset(buf, 0xee, sizeof(buf));
	fill(frame, sizeof(frame), 5);
	seg(buf, sizeof(buf), true);
	cr_assert_eq(net_frame__to_rx(c, frame, sizeof(frame)),
		     VIRTIO_NET_HDR_LEN + 1514);
	check_hdr(buf);
	cr_assert_arr_eq(buf + VIRTIO_NET_HDR_LEN, frame, sizeof(frame));
	cr_assert_eq(buf[VIRTIO_NET_HDR_LEN + 1514], 0xee,
		     "wrote past the frame");
}

Test(net_rx, scattered_buffers)
{
	u8 buf[VIRTIO_NET_HDR_LEN + 64], frame[64];

	fill(frame, sizeof(frame), 11);
	/* 1, 2, 3, ... byte pieces; the header spans several. */
	for (u32 off = 0, n = 1; off < sizeof(buf); off += n, n++)
		seg(buf + off, MIN(n, (u32)sizeof(buf) - off), true);
	cr_assert_eq(net_frame__to_rx(c, frame, sizeof(frame)),
		     VIRTIO_NET_HDR_LEN + 64);
	check_hdr(buf);
	cr_assert_arr_eq(buf + VIRTIO_NET_HDR_LEN, frame, sizeof(frame));
}

Test(net_rx, too_small_writes_nothing)
{
	u8 buf[VIRTIO_NET_HDR_LEN + 59], frame[60];

	memset(buf, 0xee, sizeof(buf));
	fill(frame, sizeof(frame), 1);
	seg(buf, 20, true);
	seg(buf + 20, sizeof(buf) - 20, true);
	cr_assert_eq(net_frame__to_rx(c, frame, sizeof(frame)), -ENOSPC);
	for (size_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 0xee, "byte %zu written", i);
	/* Exactly enough. */
	cr_assert_eq(net_frame__to_rx(c, frame, sizeof(frame) - 1),
		     (int)sizeof(buf));
}

Test(net_rx, header_only_buffer)
{
	u8 buf[VIRTIO_NET_HDR_LEN], frame[60] = { 0 };

	seg(buf, sizeof(buf), true);
	cr_assert_eq(net_frame__to_rx(c, frame, sizeof(frame)), -ENOSPC);
}

Test(net_rx, refuses_readable_buffers)
{
	u8 rd[16], buf[2048], frame[60] = { 0 };

	memset(buf, 0xee, sizeof(buf));
	seg(rd, sizeof(rd), false);
	seg(buf, sizeof(buf), true);
	cr_assert_eq(net_frame__to_rx(c, frame, sizeof(frame)), -EINVAL);
	cr_assert_eq(buf[0], 0xee);
}

Test(net_rx, refuses_non_frames)
{
	static u8 buf[VIRTIO_NET_HDR_LEN + NET_FRAME_MAX + 1];
	static u8 frame[NET_FRAME_MAX + 1];

	seg(buf, sizeof(buf), true);
	cr_assert_eq(net_frame__to_rx(c, frame, NET_ETH_HLEN - 1), -EMSGSIZE);
	cr_assert_eq(net_frame__to_rx(c, frame, NET_FRAME_MAX + 1), -EMSGSIZE);
	cr_assert_eq(net_frame__to_rx(c, frame, NET_FRAME_MAX),
		     VIRTIO_NET_HDR_LEN + NET_FRAME_MAX);
	cr_assert_eq(net_frame__to_rx(c, frame, NET_ETH_HLEN),
		     VIRTIO_NET_HDR_LEN + NET_ETH_HLEN);
}

/* --- --network --- */

static int parse(struct net_config *cfg, const char *s)
{
	char err[160] = "";
	int ret = net_config__parse(cfg, s, err, sizeof(err));

	if (ret)
		cr_assert_neq(err[0], '\0', "'%s' refused without a reason", s);
	return ret;
}

Test(net_opts, defaults)
{
	static const u8 mac[] = NET_DEFAULT_MAC;
	struct net_config cfg;

	cr_assert_eq(parse(&cfg, "user"), 0);
	cr_assert_str_eq(cfg.backend, "user");
	cr_assert_arr_eq(cfg.mac, mac, 6);
	cr_assert_eq(cfg.nr_hostfwd, 0);
	cr_assert_eq(mac[0], 0x52);
	cr_assert_eq(mac[5], 0x56);
}

Test(net_opts, mac)
{
	static const u8 want[] = { 0x02, 0x00, 0x5e, 0xaa, 0xbb, 0xcc };
	struct net_config cfg;

	cr_assert_eq(parse(&cfg, "user,mac=02:00:5e:aA:Bb:cc"), 0);
	cr_assert_arr_eq(cfg.mac, want, 6);
	cr_assert_eq(parse(&cfg, "user,mac=01:00:5e:00:00:01"), -EINVAL,
		     "multicast");
	cr_assert_eq(parse(&cfg, "user,mac=00:00:00:00:00:00"), -EINVAL);
	cr_assert_eq(parse(&cfg, "user,mac=52:54:00:12:34"), -EINVAL);
	cr_assert_eq(parse(&cfg, "user,mac=52:54:00:12:34:56:78"), -EINVAL);
	cr_assert_eq(parse(&cfg, "user,mac=52-54-00-12-34-56"), -EINVAL);
	cr_assert_eq(parse(&cfg, "user,mac=52:54:00:12:34:5g"), -EINVAL);
	cr_assert_eq(parse(&cfg, "user,mac="), -EINVAL);
}

Test(net_opts, hostfwd_good)
{
	struct net_config cfg;
	const struct net_hostfwd *f = cfg.hostfwd;

	cr_assert_eq(parse(&cfg, "user,hostfwd=tcp::2222-:22,"
			   "hostfwd=udp:0.0.0.0:5353-10.0.2.20:53,"
			   "hostfwd=::8080-:80,"
			   "hostfwd=tcp:192.168.1.7:65535-10.0.2.15:1"), 0);
	cr_assert_eq(cfg.nr_hostfwd, 4);
	cr_assert_not(f[0].udp);
	cr_assert_eq(f[0].host_addr, 0x7f000001u);
	cr_assert_eq(f[0].host_port, 2222);
	cr_assert_eq(f[0].guest_addr, NET_USER_GUEST);
	cr_assert_eq(f[0].guest_port, 22);
	cr_assert(f[1].udp);
	cr_assert_eq(f[1].host_addr, 0);
	cr_assert_eq(f[1].host_port, 5353);
	cr_assert_eq(f[1].guest_addr, 0x0a000214u);
	cr_assert_eq(f[1].guest_port, 53);
	cr_assert_not(f[2].udp, "no protocol means tcp");
	cr_assert_eq(f[2].host_port, 8080);
	cr_assert_eq(f[3].host_addr, 0xc0a80107u);
	cr_assert_eq(f[3].host_port, 65535);
	cr_assert_eq(f[3].guest_port, 1);
}

Test(net_opts, hostfwd_bad)
{
	static const char *const bad[] = {
		"", "tcp", "tcp:", "tcp::22", "tcp::2222:22", "sctp::1-:2",
		"TCP::1-:2", "tcp::0-:22", "tcp::65536-:22", "tcp::-:22",
		"tcp::22-:", "tcp::22-:0", "tcp::x-:22", "tcp::+1-:22",
		"tcp:: 1-:22", "tcp::1-:2-3", "tcp::1--:2",
		"tcp:1.2.3:1-:2", "tcp:1.2.3.4.5:1-:2", "tcp:256.0.0.1:1-:2",
		"tcp:localhost:1-:2", "tcp::1-10.0.3.15:2",
		"tcp::1-10.0.2.2:2", "tcp::1-10.0.2.3:2", "tcp::1-10.0.2.0:2",
		"tcp::1-10.0.2.255:2", "tcp::1-10.0.2.15", "tcp::1-:2:3",
		"tcp::100000-:2",
	};
	struct net_hostfwd f;
	char err[160];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		cr_assert_eq(net_hostfwd__parse(&f, bad[i], err, sizeof(err)),
			     -EINVAL, "'%s' accepted", bad[i]);
		cr_assert_neq(err[0], '\0');
	}
}

Test(net_opts, hostfwd_duplicates)
{
	struct net_config cfg;

	cr_assert_eq(parse(&cfg, "user,hostfwd=tcp::80-:80,hostfwd=tcp::80-:81"),
		     -EINVAL);
	cr_assert_eq(parse(&cfg, "user,hostfwd=tcp:0.0.0.0:80-:80,"
			   "hostfwd=tcp:127.0.0.1:80-:81"), -EINVAL,
		     "any address overlaps every address");
	cr_assert_eq(parse(&cfg, "user,hostfwd=tcp::80-:80,hostfwd=udp::80-:80"),
		     0, "tcp and udp ports are separate");
	cr_assert_eq(parse(&cfg, "user,hostfwd=tcp:127.0.0.1:80-:80,"
			   "hostfwd=tcp:127.0.0.2:80-:80"), 0);
}

Test(net_opts, hostfwd_limit)
{
	struct net_config cfg;
	char s[1024] = "user";
	size_t n = strlen(s);

	for (int i = 1; i <= NET_MAX_HOSTFWD; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n,
				      ",hostfwd=tcp::%d-:22", 1000 + i);
	cr_assert_eq(parse(&cfg, s), 0);
	cr_assert_eq(cfg.nr_hostfwd, NET_MAX_HOSTFWD);
	snprintf(s + n, sizeof(s) - n, ",hostfwd=tcp::999-:22");
	cr_assert_eq(parse(&cfg, s), -EINVAL);
}

Test(net_opts, bad_specs)
{
	static const char *const bad[] = {
		"", "tap", "users", "use", "user,", "user,,mac=52:54:00:12:34:56",
		"user,foo=bar", "user,hostfwd", "user,hostfwd=", ",user",
		"user,mac",
	};
	struct net_config cfg;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		cr_assert_eq(parse(&cfg, bad[i]), -EINVAL, "'%s' accepted",
			     bad[i]);
}

Test(net_opts, overlong_item)
{
	struct net_config cfg;
	char s[600] = "user,hostfwd=tcp::1-:2";

	memset(s + strlen(s), '0', 400);
	cr_assert_eq(parse(&cfg, s), -EINVAL);
}

/* --- the command line --- */

Test(net_opts, run_option, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *good[] = { "run", "-f", "x", "--network",
			       "user,hostfwd=tcp::2222-:22" };
	const char *bad[] = { "run", "-f", "x", "--network", "user,mac=1" };
	const char *twice[] = { "run", "-f", "x", "--network", "user",
				"--network", "user" };

	cr_assert_eq(run__parse(5, (char **)good, &cfg), 0);
	cr_assert_str_eq(cfg.network, "user,hostfwd=tcp::2222-:22");
	cr_assert_eq(run__parse(5, (char **)bad, &cfg), 2);
	cr_assert_eq(run__parse(7, (char **)twice, &cfg), 2);
	cr_assert_eq(run__parse(3, (char **)good, &cfg), 0);
	cr_assert_null(cfg.network);
}

/*
 * --- the device ---
 *
 * The real device behind the real virtio-pci transport, with a test back
 * end that records what the device sends; the test is the driver (as in
 * test-virtio-pci.c) and runs the network thread's passes itself with
 * virtio_net__poll().
 */
#include <vsva/msix.h>
#include <vsva/virtio-pci.h>

#define RAM		(4ULL << 20)
#define QSIZE		128
#define BUF_BASE	0x100000ULL
#define BUF_SIZE	0x800ULL

struct tq {
	u64 desc, avail, used;
	u16 avail_idx;
	u16 used_seen;
};

static struct {
	struct net_port *port;
	bool closed;
	unsigned int sent;
	u8 last[2048];
	size_t last_len;
} tb;

static u8 *ram;
static struct guest_mem gm;
static struct virtio_device *vdev;
static struct virtio_pci *vp;
static struct tq tq[2];
static int raises[3];

static int tb_open(void **be, const struct net_config *cfg,
		   struct net_port *port)
{
	tb.port = port;
	*be = &tb;
	return 0;
}

static void tb_send(void *be, const u8 *frame, size_t len)
{
	tb.sent++;
	tb.last_len = len;
	memcpy(tb.last, frame, MIN(len, sizeof(tb.last)));
}

static int tb_poll_fill(void *be, struct net_pollset *ps, int *timeout_ms)
{
	return 0;
}

static void tb_poll_done(void *be, const struct net_pollset *ps, bool error)
{
}

static void tb_close(void *be)
{
	tb.closed = true;
}

static const struct net_backend_ops tb_ops = {
	.name = "test",
	.open = tb_open,
	.send = tb_send,
	.poll_fill = tb_poll_fill,
	.poll_done = tb_poll_done,
	.close = tb_close,
};

static int rec_install(struct msix *mx, u16 v, u64 addr, u32 data)
{
	return 0;
}

static int rec_raise(struct msix *mx, u16 v, u64 addr, u32 data)
{
	if (v < ARRAY_SIZE(raises))
		raises[v]++;
	return 0;
}

static const struct msix_irq_ops rec_ops = {
	.install = rec_install,
	.raise = rec_raise,
};

static void dev_setup(void)
{
	struct net_config cfg;

	setup();
	cr_assert_eq(net_config__parse(&cfg, "user,mac=02:00:00:00:00:01",
				       NULL, 0), 0);
	memset(&tb, 0, sizeof(tb));
	memset(raises, 0, sizeof(raises));
	ram = calloc(1, RAM);
	cr_assert(ram);
	gm = (struct guest_mem){ .nr_regions = 1, .ram_size = RAM };
	gm.regions[0] = (struct guest_mem_region){ 0, RAM, ram };
	cr_assert_eq(virtio_net__new(&vdev, &cfg, &tb_ops), 0);
	vdev->dma.mem = &gm;
	vp = calloc(1, sizeof(*vp));
	cr_assert_eq(virtio_pci__setup(vp, vdev), 0);
	msix__set_irq_ops(vp->pdev.msix, &rec_ops, NULL);
	for (int q = 0; q < 2; q++)
		tq[q] = (struct tq){ .desc = 0x10000 + q * 0x10000ULL,
				     .avail = 0x14000 + q * 0x10000ULL,
				     .used = 0x18000 + q * 0x10000ULL };
}

static void dev_teardown(void)
{
	virtio_pci__free(vp);
	free(vp);
	virtio_net__free(vdev);
	cr_assert(tb.closed, "the back end was not closed");
	free(ram);
	teardown();
}

TestSuite(net_dev, .init = dev_setup, .fini = dev_teardown);

static u64 bar_rd(u32 off, u32 len)
{
	u64 v = 0;

	pci_dev__bar_access(&vp->pdev, 0, off, (u8 *)&v, len, false);
	return v;
}

static void bar_wr(u32 off, u64 v, u32 len)
{
	pci_dev__bar_access(&vp->pdev, 0, off, (u8 *)&v, len, true);
}

static u8 status(void)
{
	return bar_rd(VIRTIO_PCI_STATUS, 1);
}

static void set_status(u8 s)
{
	bar_wr(VIRTIO_PCI_STATUS, s, 1);
}

static u64 device_features(void)
{
	u64 lo;

	bar_wr(VIRTIO_PCI_DFSELECT, 0, 4);
	lo = bar_rd(VIRTIO_PCI_DF, 4);
	bar_wr(VIRTIO_PCI_DFSELECT, 1, 4);
	return lo | bar_rd(VIRTIO_PCI_DF, 4) << 32;
}

static void command(u16 bits)
{
	pci_cfg__write(&vp->pdev, PCI_REG_COMMAND, bits, 2);
}

/* Driver bring-up with features @f; queue q on MSI-X vector q + 1. */
static void bring_up(u64 f)
{
	u16 cap = pci_dev__find_cap(&vp->pdev, PCI_CAPID_MSIX);

	command(PCI_CMD_MEM | PCI_CMD_MASTER);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	f |= BIT_ULL(VIRTIO_F_VERSION_1);
	bar_wr(VIRTIO_PCI_GFSELECT, 0, 4);
	bar_wr(VIRTIO_PCI_GF, (u32)f, 4);
	bar_wr(VIRTIO_PCI_GFSELECT, 1, 4);
	bar_wr(VIRTIO_PCI_GF, f >> 32, 4);
	set_status(status() | VIRTIO_STATUS_FEATURES_OK);
	cr_assert(status() & VIRTIO_STATUS_FEATURES_OK);

	pci_cfg__write(&vp->pdev, cap + 2, MSIX_CTRL_ENABLE, 2);
	for (u16 v = 0; v < 3; v++) {
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v, 0xfee00000, 4);
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v + 8, 0x40 + v, 4);
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v + 12, 0, 4);
	}
	bar_wr(VIRTIO_PCI_MSIX_CONFIG, 0, 2);
	for (u16 q = 0; q < 2; q++) {
		bar_wr(VIRTIO_PCI_Q_SELECT, q, 2);
		bar_wr(VIRTIO_PCI_Q_SIZE, QSIZE, 2);
		bar_wr(VIRTIO_PCI_Q_DESC, tq[q].desc, 8);
		bar_wr(VIRTIO_PCI_Q_DRIVER, tq[q].avail, 8);
		bar_wr(VIRTIO_PCI_Q_DEVICE, tq[q].used, 8);
		bar_wr(VIRTIO_PCI_Q_MSIX, q + 1, 2);
		bar_wr(VIRTIO_PCI_Q_ENABLE, 1, 2);
		cr_assert_eq(bar_rd(VIRTIO_PCI_Q_ENABLE, 2), 1);
	}
	set_status(status() | VIRTIO_STATUS_DRIVER_OK);
}

static struct virtq_desc *qdesc(int q, u16 i)
{
	return (struct virtq_desc *)(ram + tq[q].desc) + i;
}

static struct virtq_avail *qavail(int q)
{
	return (struct virtq_avail *)(ram + tq[q].avail);
}

static struct virtq_used *qused(int q)
{
	return (struct virtq_used *)(ram + tq[q].used);
}

static u64 buf(int q, u16 i)
{
	return BUF_BASE + ((u64)q * QSIZE + i) * BUF_SIZE;
}

static void post(int q, u16 head)
{
	qavail(q)->ring[tq[q].avail_idx % QSIZE] = head;
	qavail(q)->idx = ++tq[q].avail_idx;
}

static void kick(int q)
{
	bar_wr(VIRTIO_PCI_NOTIFY_OFF + VIRTIO_PCI_NOTIFY_MULT * q, q, 2);
}

/* A receive buffer of @len bytes in descriptor @i. */
static void rx_post(u16 i, u32 len)
{
	*qdesc(0, i) = (struct virtq_desc){ buf(0, i), len,
					    VIRTQ_DESC_F_WRITE, 0 };
	post(0, i);
}

/* A transmit chain in descriptor @i: header + @len frame bytes. */
static void tx_post(u16 i, u32 len, u8 seq)
{
	u8 *p = ram + buf(1, i);

	memset(p, 0, VIRTIO_NET_HDR_LEN);
	fill(p + VIRTIO_NET_HDR_LEN, len, seq);
	*qdesc(1, i) = (struct virtq_desc){ buf(1, i),
					    VIRTIO_NET_HDR_LEN + len, 0, 0 };
	post(1, i);
}

/* The next used entry of queue @q. */
static struct virtq_used_elem next_used(int q)
{
	cr_assert_neq(qused(q)->idx, tq[q].used_seen, "nothing used on %d", q);
	return qused(q)->ring[tq[q].used_seen++ % QSIZE];
}

static void inject(size_t len, u8 seq)
{
	static u8 frame[NET_FRAME_MAX];

	fill(frame, len, seq);
	net_port__receive(tb.port, frame, len);
}

static const struct net_stats *stats(void)
{
	return virtio_net__stats(vdev);
}

Test(net_dev, features_and_config)
{
	u64 f = device_features();
	u8 mac[6];

	cr_assert(f & BIT_ULL(VIRTIO_NET_F_MAC));
	cr_assert(f & BIT_ULL(VIRTIO_NET_F_STATUS));
	cr_assert(f & BIT_ULL(VIRTIO_NET_F_MTU));
	cr_assert(f & BIT_ULL(VIRTIO_F_VERSION_1));
	cr_assert_not(f & BIT_ULL(VIRTIO_NET_F_MRG_RXBUF));
	cr_assert_not(f & BIT_ULL(VIRTIO_NET_F_CSUM));
	cr_assert_not(f & BIT_ULL(VIRTIO_NET_F_GUEST_CSUM));
	cr_assert_not(f & (0x7ffULL << 17), "control queue, MQ, ...: 0x%llx",
		      (unsigned long long)f);
	cr_assert_not(f & 0x7fffULL & ~(BIT_ULL(VIRTIO_NET_F_MTU) |
					BIT_ULL(VIRTIO_NET_F_MAC)),
		      "an offload: 0x%llx", (unsigned long long)f);
	for (int i = 0; i < 6; i++)
		mac[i] = bar_rd(VIRTIO_PCI_DEVCFG_OFF + i, 1);
	cr_assert_arr_eq(mac, ((u8[]){ 2, 0, 0, 0, 0, 1 }), 6);
	cr_assert_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF + VIRTIO_NET_CFG_STATUS, 2),
		     VIRTIO_NET_S_LINK_UP);
	cr_assert_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF + VIRTIO_NET_CFG_MTU, 2),
		     NET_MTU);
	cr_assert_eq(vp->pdev.cfg[PCI_REG_CLASS + 2], 0x02, "network class");
	cr_assert_eq(bar_rd(VIRTIO_PCI_NUM_QUEUES, 2), 2);
}

Test(net_dev, transmit_reaches_the_back_end)
{
	struct virtq_used_elem e;

	bring_up(BIT_ULL(VIRTIO_NET_F_MAC));
	tx_post(0, 60, 3);
	kick(1);
	virtio_net__poll(vdev, 0);
	cr_assert_eq(tb.sent, 1);
	cr_assert_eq(tb.last_len, 60);
	cr_assert_arr_eq(tb.last, ram + buf(1, 0) + VIRTIO_NET_HDR_LEN, 60);
	e = next_used(1);
	cr_assert_eq(e.id, 0);
	cr_assert_eq(e.len, 0, "the device writes nothing on transmit");
	cr_assert_geq(raises[2], 1, "no transmit interrupt");
	cr_assert_eq(stats()->tx_frames, 1);
}

Test(net_dev, hostile_transmit_chains_are_not_sent)
{
	bring_up(0);
	/* Readable header + frame, then a writable buffer. */
	tx_post(0, 60, 1);
	qdesc(1, 0)->flags = VIRTQ_DESC_F_NEXT;
	qdesc(1, 0)->next = 1;
	*qdesc(1, 1) = (struct virtq_desc){ buf(1, 1), 64,
					    VIRTQ_DESC_F_WRITE, 0 };
	/* A buffer outside guest RAM. */
	*qdesc(1, 2) = (struct virtq_desc){ RAM - 16, 64, 0, 0 };
	post(1, 2);
	/* A runt. */
	tx_post(3, 10, 1);
	kick(1);
	virtio_net__poll(vdev, 0);
	cr_assert_eq(tb.sent, 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(next_used(1).len, 0);
	cr_assert_eq(stats()->tx_writable, 1);
	cr_assert_eq(stats()->tx_bad_chain, 1);
	cr_assert_eq(stats()->tx_bad_len, 1);
	/* The queue still works. */
	tx_post(4, 60, 1);
	kick(1);
	virtio_net__poll(vdev, 0);
	cr_assert_eq(tb.sent, 1);
}

Test(net_dev, transmit_budget_then_the_rest)
{
	bring_up(0);
	for (u16 i = 0; i < 100; i++)
		tx_post(i, 60, (u8)i);
	kick(1);
	virtio_net__poll(vdev, 0);
	cr_assert_eq(tb.sent, NET_TX_BUDGET);
	virtio_net__poll(vdev, -1);	/* must not block: work is pending */
	cr_assert_eq(tb.sent, 100);
	cr_assert_eq(tb.last[0], (u8)(99), "out of order");
	cr_assert_eq(qused(1)->idx, 100);
}

Test(net_dev, receive_into_a_buffer)
{
	struct virtq_used_elem e;
	u8 want[100];

	bring_up(BIT_ULL(VIRTIO_NET_F_MTU));
	rx_post(0, BUF_SIZE);
	kick(0);
	virtio_net__poll(vdev, 0);
	inject(100, 7);
	e = next_used(0);
	cr_assert_eq(e.id, 0);
	cr_assert_eq(e.len, VIRTIO_NET_HDR_LEN + 100);
	check_hdr(ram + buf(0, 0));
	fill(want, sizeof(want), 7);
	cr_assert_arr_eq(ram + buf(0, 0) + VIRTIO_NET_HDR_LEN, want, 100);
	cr_assert_geq(raises[1], 1, "no receive interrupt");
}

Test(net_dev, backlog_is_bounded_and_ordered)
{
	bring_up(0);
	for (int i = 0; i < 100; i++)
		inject(100, (u8)i);
	cr_assert_eq(stats()->rx_held, NET_RX_BACKLOG);
	cr_assert_eq(stats()->rx_drop_full, 100 - NET_RX_BACKLOG);
	cr_assert_eq(qused(0)->idx, 0);

	for (u16 i = 0; i < 16; i++)
		rx_post(i, BUF_SIZE);
	kick(0);
	virtio_net__poll(vdev, 0);
	cr_assert_eq(qused(0)->idx, 16);
	for (int i = 0; i < 16; i++) {
		struct virtq_used_elem e = next_used(0);

		cr_assert_eq(e.len, VIRTIO_NET_HDR_LEN + 100);
		cr_assert_eq(ram[buf(0, e.id) + VIRTIO_NET_HDR_LEN], (u8)i,
			     "frame %d out of order", i);
	}
	/* Buffers the device has not looked at yet, and a new frame: it
	 * must wait behind the 48 still held, not jump the queue. */
	for (u16 i = 16; i < 16 + 64; i++)
		rx_post(i, BUF_SIZE);
	inject(100, 200);
	cr_assert_eq(qused(0)->idx, 16);
	kick(0);
	virtio_net__poll(vdev, 0);
	cr_assert_eq(qused(0)->idx, 16 + 48 + 1);
	for (int i = 16; i < 64; i++)
		cr_assert_eq(ram[buf(0, next_used(0).id) + VIRTIO_NET_HDR_LEN],
			     (u8)i);
	cr_assert_eq(ram[buf(0, next_used(0).id) + VIRTIO_NET_HDR_LEN], 200);
	cr_assert_eq(stats()->rx_frames, 65);
}

Test(net_dev, backlog_byte_bound)
{
	bring_up(0);	/* no MTU: 64 KiB frames are fine */
	for (int i = 0; i < 5; i++)
		inject(60000, (u8)i);
	cr_assert_eq(stats()->rx_held, NET_RX_BACKLOG_BYTES / 60000);
	cr_assert_eq(stats()->rx_drop_full, 5 - NET_RX_BACKLOG_BYTES / 60000);
}

Test(net_dev, reset_drops_the_backlog)
{
	bring_up(0);
	inject(100, 1);
	inject(100, 2);
	cr_assert_eq(stats()->rx_held, 2);
	set_status(0);
	cr_assert_eq(status(), 0);
	inject(100, 3);
	cr_assert_eq(stats()->rx_drop_down, 1);
	/* Up again with fresh rings: nothing stale comes out. */
	memset(ram + tq[0].used, 0, 0x1000);
	memset(ram + tq[0].avail, 0, 0x1000);
	tq[0].avail_idx = tq[0].used_seen = 0;
	memset(ram + tq[1].used, 0, 0x1000);
	memset(ram + tq[1].avail, 0, 0x1000);
	tq[1].avail_idx = tq[1].used_seen = 0;
	bring_up(0);
	rx_post(0, BUF_SIZE);
	kick(0);
	virtio_net__poll(vdev, 0);
	cr_assert_eq(qused(0)->idx, 0, "a frame from before the reset");
	inject(100, 4);
	cr_assert_eq(qused(0)->idx, 1);
	cr_assert_eq(ram[buf(0, 0) + VIRTIO_NET_HDR_LEN], 4);
}

Test(net_dev, no_dma_unless_running_and_bus_master)
{
	inject(100, 1);
	cr_assert_eq(stats()->rx_drop_down, 1, "before DRIVER_OK");
	bring_up(0);
	rx_post(0, BUF_SIZE);
	command(PCI_CMD_MEM);		/* bus mastering off */
	inject(100, 2);
	cr_assert_eq(stats()->rx_drop_down, 2);
	cr_assert_eq(qused(0)->idx, 0);
	tx_post(0, 60, 1);
	kick(1);
	virtio_net__poll(vdev, 0);
	cr_assert_eq(tb.sent, 0);
	command(PCI_CMD_MEM | PCI_CMD_MASTER);
	virtio_net__poll(vdev, 0);
	cr_assert_eq(tb.sent, 1, "the held kick ran when mastering came back");
	inject(100, 3);
	cr_assert_eq(qused(0)->idx, 1);
}

Test(net_dev, mtu)
{
	bring_up(BIT_ULL(VIRTIO_NET_F_MTU));
	rx_post(0, BUF_SIZE);
	rx_post(1, BUF_SIZE);
	kick(0);
	virtio_net__poll(vdev, 0);
	inject(NET_ETH_HLEN + 4 + NET_MTU + 1, 1);
	cr_assert_eq(stats()->rx_drop_bad, 1);
	inject(NET_ETH_HLEN + 4 + NET_MTU, 1);
	cr_assert_eq(stats()->rx_frames, 1);
	inject(NET_ETH_HLEN - 1, 1);
	cr_assert_eq(stats()->rx_drop_bad, 2);
}

Test(net_dev, no_mtu_no_limit_but_the_buffer)
{
	bring_up(0);
	rx_post(0, BUF_SIZE);
	rx_post(1, 50);
	kick(0);
	virtio_net__poll(vdev, 0);
	inject(1600, 1);
	cr_assert_eq(stats()->rx_frames, 1);
	cr_assert_eq(next_used(0).len, VIRTIO_NET_HDR_LEN + 1600);
	/* Too small: dropped, the buffer handed back empty. */
	inject(60, 2);
	cr_assert_eq(stats()->rx_small, 1);
	cr_assert_eq(next_used(0).len, 0);
}

Test(net_dev, readable_receive_buffer_skipped)
{
	bring_up(0);
	*qdesc(0, 0) = (struct virtq_desc){ buf(0, 0), 64, 0, 0 };
	post(0, 0);
	rx_post(1, BUF_SIZE);
	kick(0);
	virtio_net__poll(vdev, 0);
	inject(100, 9);
	cr_assert_eq(stats()->rx_readable, 1);
	cr_assert_eq(next_used(0).len, 0);
	cr_assert_eq(next_used(0).len, VIRTIO_NET_HDR_LEN + 100);
	cr_assert_eq(stats()->rx_frames, 1);
}
