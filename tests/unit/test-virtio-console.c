// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console.  Suite console_data: the pure data path (FIFO, filling
 * receive chains, draining transmit chains) on hand-made chains.  Suite
 * console_dev: the device behind the virtio-pci transport over a malloc'd
 * guest, the test playing the driver and the terminal.  Suite
 * console_args: --console and the default kernel command line.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/run.h>
#include <vsva/virtio-console.h>
#include <vsva/virtio-pci.h>

/* ========================= console_data ========================= */

static struct virtq_chain chain;
static struct console_fifo fifo;
static u8 out[8192];
static size_t n_out;
static int out_calls;

static void collect(void *opaque, const u8 *buf, size_t len)
{
	cr_assert_leq(n_out + len, sizeof(out));
	memcpy(out + n_out, buf, len);
	n_out += len;
	out_calls++;
}

static void data_setup(void)
{
	memset(&chain, 0, sizeof(chain));
	memset(&fifo, 0, sizeof(fifo));
	n_out = 0;
	out_calls = 0;
}

/* A chain over host buffers: @nr readable ones, then writable ones. */
static void make_chain(u8 **bufs, const u32 *lens, u16 nr_out, u16 nr_in)
{
	chain.nr_segs = nr_out + nr_in;
	chain.nr_out = nr_out;
	chain.nr_in = nr_in;
	chain.out_len = chain.in_len = 0;
	for (u16 i = 0; i < chain.nr_segs; i++) {
		chain.seg[i] = (struct virtq_seg){ bufs[i], lens[i],
						   i >= nr_out };
		if (i >= nr_out)
			chain.in_len += lens[i];
		else
			chain.out_len += lens[i];
	}
}

TestSuite(console_data, .init = data_setup);

Test(console_data, fifo_takes_what_fits)
{
	static u8 big[5000];

	cr_assert_eq(console_fifo__put(&fifo, big, 4000), 4000);
	cr_assert_eq(console_fifo__put(&fifo, big, 200), 96);
	cr_assert_eq(fifo.count, CONSOLE_FIFO_SIZE);
	cr_assert_eq(console_fifo__put(&fifo, big, 1), 0);
}

Test(console_data, rx_fills_writable_segments_in_order)
{
	u8 r[4] = "RRRR", w1[3], w2[10];
	u8 *bufs[] = { r, w1, w2 };
	u32 lens[] = { 4, 3, 10 };

	memset(w2, '.', sizeof(w2));
	console_fifo__put(&fifo, (const u8 *)"hello world!", 12);
	make_chain(bufs, lens, 1, 2);
	cr_assert_eq(virtio_console__rx(&fifo, &chain), 12);
	cr_assert_arr_eq(w1, "hel", 3);
	cr_assert_arr_eq(w2, "lo world!.", 10);
	cr_assert_arr_eq(r, "RRRR", 4, "readable part untouched");
	cr_assert_eq(fifo.count, 0);
	cr_assert_eq(virtio_console__rx(&fifo, &chain), 0, "nothing left");
}

Test(console_data, rx_partial_then_rest)
{
	u8 w[4];
	u8 *bufs[] = { w };
	u32 lens[] = { 4 };

	console_fifo__put(&fifo, (const u8 *)"abcdefg", 7);
	make_chain(bufs, lens, 0, 1);
	cr_assert_eq(virtio_console__rx(&fifo, &chain), 4);
	cr_assert_arr_eq(w, "abcd", 4);
	cr_assert_eq(virtio_console__rx(&fifo, &chain), 3);
	cr_assert_arr_eq(w, "efg", 3);
}

Test(console_data, rx_across_the_fifo_wrap)
{
	static u8 fill[CONSOLE_FIFO_SIZE], sink[CONSOLE_FIFO_SIZE];
	u8 w[16] = { 0 };
	u8 *bufs[] = { sink };
	u32 lens[] = { CONSOLE_FIFO_SIZE - 6 };

	/* Move the head to 6 bytes before the end of the buffer. */
	console_fifo__put(&fifo, fill, CONSOLE_FIFO_SIZE - 6);
	make_chain(bufs, lens, 0, 1);
	cr_assert_eq(virtio_console__rx(&fifo, &chain), CONSOLE_FIFO_SIZE - 6);
	console_fifo__put(&fifo, (const u8 *)"0123456789", 10);
	bufs[0] = w;
	lens[0] = sizeof(w);
	make_chain(bufs, lens, 0, 1);
	cr_assert_eq(virtio_console__rx(&fifo, &chain), 10);
	cr_assert_arr_eq(w, "0123456789", 10);
}

Test(console_data, tx_hands_over_readable_bytes_only)
{
	u8 a[2] = "ab", b[3] = "cde", w[4] = "WWWW";
	u8 *bufs[] = { a, b, w };
	u32 lens[] = { 2, 3, 4 };

	make_chain(bufs, lens, 2, 1);
	cr_assert_eq(virtio_console__tx(&chain, collect, NULL), 5);
	cr_assert_eq(n_out, 5);
	cr_assert_arr_eq(out, "abcde", 5);
	cr_assert_eq(out_calls, 2, "one call per segment");
}

/* ========================= console_dev ========================= */

#define RAM		(2ULL << 20)
#define QSIZE		16
#define Q_BASE(q)	(0x10000ULL + 0x10000ULL * (q))
#define DESC(q)		(Q_BASE(q))
#define AVAIL(q)	(Q_BASE(q) + 0x1000)
#define USED(q)		(Q_BASE(q) + 0x2000)
#define BUF		0x100000ULL

static u8 *ram;
static struct guest_mem gm;
static struct virtio_device *vdev;
static struct virtio_pci *vp;
static u16 avail_idx[2], next_desc[2];
static int raises[3];

static int rec_install(struct msix *mx, u16 v, u64 addr, u32 data)
{
	return 0;
}

static int rec_raise(struct msix *mx, u16 v, u64 addr, u32 data)
{
	if (v < 3)
		raises[v]++;
	return 0;
}

static const struct msix_irq_ops rec_ops = {
	.install = rec_install,
	.raise = rec_raise,
};

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

static void set_status(u8 s)
{
	bar_wr(VIRTIO_PCI_STATUS, s, 1);
}

static void bring_up(u64 features)
{
	u16 cap;

	pci_cfg__write(&vp->pdev, PCI_REG_COMMAND,
		       PCI_CMD_MEM | PCI_CMD_MASTER, 2);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	features |= BIT_ULL(VIRTIO_F_VERSION_1);
	bar_wr(VIRTIO_PCI_GFSELECT, 0, 4);
	bar_wr(VIRTIO_PCI_GF, (u32)features, 4);
	bar_wr(VIRTIO_PCI_GFSELECT, 1, 4);
	bar_wr(VIRTIO_PCI_GF, features >> 32, 4);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK);
	cr_assert(bar_rd(VIRTIO_PCI_STATUS, 1) & VIRTIO_STATUS_FEATURES_OK);
	cap = pci_dev__find_cap(&vp->pdev, PCI_CAPID_MSIX);
	pci_cfg__write(&vp->pdev, cap + 2, MSIX_CTRL_ENABLE, 2);
	for (u16 v = 0; v < 3; v++) {
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v, 0xfee00000, 4);
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v + 8, 0x40 + v, 4);
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v + 12, 0, 4);
	}
	for (u16 q = 0; q < 2; q++) {
		bar_wr(VIRTIO_PCI_Q_SELECT, q, 2);
		bar_wr(VIRTIO_PCI_Q_SIZE, QSIZE, 2);
		bar_wr(VIRTIO_PCI_Q_DESC, DESC(q), 8);
		bar_wr(VIRTIO_PCI_Q_DRIVER, AVAIL(q), 8);
		bar_wr(VIRTIO_PCI_Q_DEVICE, USED(q), 8);
		bar_wr(VIRTIO_PCI_Q_MSIX, q + 1, 2);
		bar_wr(VIRTIO_PCI_Q_ENABLE, 1, 2);
		cr_assert_eq(bar_rd(VIRTIO_PCI_Q_ENABLE, 2), 1);
	}
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static void dev_setup(void)
{
	log_level = LOG_ERR;
	data_setup();
	ram = calloc(1, RAM);
	cr_assert(ram);
	gm = (struct guest_mem){ .nr_regions = 1, .ram_size = RAM };
	gm.regions[0] = (struct guest_mem_region){ 0, RAM, ram };
	vdev = virtio_console__new(collect, NULL);
	cr_assert(vdev);
	vdev->dma.mem = &gm;
	vp = calloc(1, sizeof(*vp));
	cr_assert_eq(virtio_pci__setup(vp, vdev), 0);
	msix__set_irq_ops(vp->pdev.msix, &rec_ops, NULL);
	memset(avail_idx, 0, sizeof(avail_idx));
	memset(next_desc, 0, sizeof(next_desc));
	memset(raises, 0, sizeof(raises));
}

static void dev_teardown(void)
{
	virtio_pci__free(vp);
	free(vp);
	virtio_console__free(vdev);
	free(ram);
}

static struct virtq_used *used(u16 q)
{
	return (struct virtq_used *)(ram + USED(q));
}

static u16 *avail_event(u16 q)
{
	return (u16 *)&used(q)->ring[QSIZE];
}

/* One-descriptor buffer at @gpa on queue @q (writable for receiveq). */
static u16 post(u16 q, u64 gpa, u32 len)
{
	struct virtq_desc *d = (struct virtq_desc *)(ram + DESC(q));
	struct virtq_avail *a = (struct virtq_avail *)(ram + AVAIL(q));
	u16 i = next_desc[q]++ % QSIZE;

	d[i] = (struct virtq_desc){ gpa, len,
				    q == VIRTIO_CONSOLE_RX_QUEUE ?
				    VIRTQ_DESC_F_WRITE : 0, 0 };
	a->ring[avail_idx[q]++ % QSIZE] = i;
	a->idx = avail_idx[q];
	return i;
}

static void kick(u16 q)
{
	bar_wr(VIRTIO_PCI_NOTIFY_OFF + VIRTIO_PCI_NOTIFY_MULT * q, q, 2);
}

static void input(const char *s)
{
	virtio_console__input(vdev, (const u8 *)s, strlen(s));
}

TestSuite(console_dev, .init = dev_setup, .fini = dev_teardown);

Test(console_dev, identity_and_config)
{
	bar_wr(VIRTIO_PCI_DFSELECT, 0, 4);
	cr_assert_eq(bar_rd(VIRTIO_PCI_DF, 4) & 0xffffff, 0,
		     "no device feature: one port, no MULTIPORT");
	cr_assert_eq(bar_rd(VIRTIO_PCI_NUM_QUEUES, 2), 2);
	cr_assert_eq(pci_cfg__get(&vp->pdev, PCI_REG_DEVICE_ID, 2), 0x1043);
	cr_assert_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF, 4), 0, "cols, rows");
	cr_assert_eq(bar_rd(VIRTIO_PCI_DEVCFG_OFF + 4, 4), 0, "max_nr_ports");
	bar_wr(VIRTIO_PCI_DEVCFG_OFF + 8, 'x', 4);	/* emerg_wr: ignored */
	cr_assert_eq(n_out, 0);
}

Test(console_dev, input_fills_posted_buffers)
{
	bring_up(0);
	post(0, BUF, 8);
	post(0, BUF + 0x100, 8);
	kick(0);
	cr_assert_eq(used(0)->idx, 0, "no input yet: buffers stay");
	input("hello");
	cr_assert_eq(used(0)->idx, 1);
	cr_assert_eq(used(0)->ring[0].len, 5);
	cr_assert_arr_eq(ram + BUF, "hello", 5);
	cr_assert_eq(raises[1], 1, "receiveq interrupt");
	input("0123456789");
	cr_assert_eq(used(0)->idx, 2);
	cr_assert_eq(used(0)->ring[1].len, 8);
	cr_assert_arr_eq(ram + BUF + 0x100, "01234567", 8);
	/* "89" waits for the next buffer. */
	post(0, BUF + 0x200, 8);
	kick(0);
	cr_assert_eq(used(0)->idx, 3);
	cr_assert_eq(used(0)->ring[2].len, 2);
	cr_assert_arr_eq(ram + BUF + 0x200, "89", 2);
}

Test(console_dev, input_before_the_driver_is_ready)
{
	input("early");
	bring_up(0);
	post(0, BUF, 64);
	kick(0);
	cr_assert_eq(used(0)->idx, 1);
	cr_assert_eq(used(0)->ring[0].len, 5);
	cr_assert_arr_eq(ram + BUF, "early", 5);
}

Test(console_dev, no_buffer_used_before_driver_ok)
{
	bring_up(0);
	set_status(0);
	/* Queues enabled, buffer posted, DRIVER_OK not yet. */
	pci_cfg__write(&vp->pdev, PCI_REG_COMMAND,
		       PCI_CMD_MEM | PCI_CMD_MASTER, 2);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	bar_wr(VIRTIO_PCI_GFSELECT, 1, 4);
	bar_wr(VIRTIO_PCI_GF, 1, 4);		/* VERSION_1 */
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK);
	bar_wr(VIRTIO_PCI_Q_SELECT, 0, 2);
	bar_wr(VIRTIO_PCI_Q_SIZE, QSIZE, 2);
	bar_wr(VIRTIO_PCI_Q_DESC, DESC(0), 8);
	bar_wr(VIRTIO_PCI_Q_DRIVER, AVAIL(0), 8);
	bar_wr(VIRTIO_PCI_Q_DEVICE, USED(0), 8);
	bar_wr(VIRTIO_PCI_Q_ENABLE, 1, 2);
	memset(used(0), 0, 8);
	avail_idx[0] = next_desc[0] = 0;
	post(0, BUF, 8);
	input("wait");
	cr_assert_eq(used(0)->idx, 0, "held until DRIVER_OK");
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	cr_assert_eq(used(0)->idx, 1, "delivered on DRIVER_OK");
	cr_assert_arr_eq(ram + BUF, "wait", 4);
}

Test(console_dev, overflow_is_dropped_and_counted)
{
	static u8 big[5000];

	bring_up(0);
	memset(big, 'z', sizeof(big));
	virtio_console__input(vdev, big, sizeof(big));
	cr_assert_eq(virtio_console__dropped(vdev),
		     sizeof(big) - CONSOLE_FIFO_SIZE);
	post(0, BUF, 8192);
	kick(0);
	cr_assert_eq(used(0)->ring[0].len, CONSOLE_FIFO_SIZE);
}

Test(console_dev, waiting_input_asks_for_a_kick)
{
	bring_up(BIT_ULL(VIRTIO_F_EVENT_IDX));
	post(0, BUF, 1);
	kick(0);
	input("ab");		/* "a" goes, "b" waits */
	cr_assert_eq(used(0)->idx, 1);
	cr_assert_eq(*avail_event(0), 1,
		     "the driver is asked to kick on its next buffer");
}

Test(console_dev, output_reaches_the_terminal)
{
	bring_up(0);
	memcpy(ram + BUF, "guest says hi\n", 14);
	memcpy(ram + BUF + 0x100, "bye\n", 4);
	post(1, BUF, 14);
	post(1, BUF + 0x100, 4);
	kick(1);
	cr_assert_eq(n_out, 18);
	cr_assert_arr_eq(out, "guest says hi\nbye\n", 18);
	cr_assert_eq(used(1)->idx, 2);
	cr_assert_eq(used(1)->ring[0].len, 0, "nothing written back");
	cr_assert_eq(raises[2], 1, "transmitq interrupt");
}

Test(console_dev, bad_transmit_chain_returned)
{
	bring_up(0);
	post(1, RAM - 2, 16);	/* runs off the end of RAM */
	kick(1);
	cr_assert_eq(n_out, 0);
	cr_assert_eq(used(1)->idx, 1);
	cr_assert_eq(used(1)->ring[0].len, 0);
}

Test(console_dev, reset_keeps_input_for_later)
{
	bring_up(0);
	set_status(0);
	input("after reset");	/* no queue: kept */
	bring_up(0);
	post(0, BUF, 64);
	kick(0);
	cr_assert_eq(used(0)->ring[0].len, 11);
	cr_assert_arr_eq(ram + BUF, "after reset", 11);
}

/* ========================= console_args ========================= */

static int parse_args(struct vm_config *cfg, int argc, const char **argv)
{
	return run__parse(argc, (char **)argv, cfg);
}

Test(console_args, console_choice_and_cmdline, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *def[] = { "run", "-k", "bz" };
	const char *virt[] = { "run", "-k", "bz", "--console", "virtio" };
	const char *own[] = { "run", "-k", "bz", "--console", "virtio",
			      "-p", "quiet" };
	const char *ser[] = { "run", "-f", "x", "--console", "serial" };
	const char *bad[] = { "run", "-f", "x", "--console", "hvc" };

	cr_assert_eq(parse_args(&cfg, 3, def), 0);
	cr_assert_str_eq(cfg.console, "serial");
	cr_assert_str_eq(cfg.cmdline, "console=ttyS0");
	cr_assert_eq(parse_args(&cfg, 5, virt), 0);
	cr_assert_str_eq(cfg.console, "virtio");
	cr_assert_str_eq(cfg.cmdline, "console=hvc0");
	cr_assert_eq(parse_args(&cfg, 7, own), 0);
	cr_assert_str_eq(cfg.cmdline, "quiet", "the user's -p wins");
	cr_assert_eq(parse_args(&cfg, 5, ser), 0);
	cr_assert_str_eq(cfg.console, "serial");
	cr_assert_eq(parse_args(&cfg, 5, bad), 2);
}
