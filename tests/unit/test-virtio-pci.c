// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci transport with the real virtio-rng device behind it.  The
 * test is the driver: it finds the capabilities in config space, talks to
 * the common config in BAR 0, builds a split queue in a malloc'd guest, and
 * kicks through the notify region (the MMIO path: there is no ioeventfd
 * without a vm).  MSI-X deliveries are recorded by a test backend.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/msix.h>
#include <vsva/virtio-pci.h>

#define RAM		(4ULL << 20)
#define DESC		0x10000ULL
#define AVAIL		0x20000ULL
#define USED		0x30000ULL
#define BUF		0x100000ULL
#define QSIZE		16

static u8 *ram;
static struct guest_mem gm;
static struct virtio_device *vdev;
static struct virtio_pci *vp;
static u16 avail_idx;
static int raises[4];

static int rec_install(struct msix *mx, u16 v, u64 addr, u32 data)
{
	return 0;
}

static int rec_raise(struct msix *mx, u16 v, u64 addr, u32 data)
{
	raises[v]++;
	return 0;
}

static const struct msix_irq_ops rec_ops = {
	.install = rec_install,
	.raise = rec_raise,
};

static void setup(void)
{
	log_level = LOG_ERR;	/* refusals below are expected */
	ram = calloc(1, RAM);
	gm = (struct guest_mem){ .nr_regions = 1, .ram_size = RAM };
	gm.regions[0] = (struct guest_mem_region){ 0, RAM, ram };
	vdev = virtio_rng__new();
	cr_assert(vdev);
	vdev->dma.mem = &gm;
	vp = calloc(1, sizeof(*vp));
	cr_assert_eq(virtio_pci__setup(vp, vdev), 0);
	msix__set_irq_ops(vp->pdev.msix, &rec_ops, NULL);
	avail_idx = 0;
	memset(raises, 0, sizeof(raises));
}

static void teardown(void)
{
	virtio_pci__free(vp);
	free(vp);
	virtio_rng__free(vdev);
	free(ram);
}

TestSuite(virtio_pci, .init = setup, .fini = teardown);

/* --- driver-side helpers --- */

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
	bar_wr(VIRTIO_PCI_DFSELECT, 0, 4);
	u64 lo = bar_rd(VIRTIO_PCI_DF, 4);

	bar_wr(VIRTIO_PCI_DFSELECT, 1, 4);
	return lo | bar_rd(VIRTIO_PCI_DF, 4) << 32;
}

static void driver_features(u64 f)
{
	bar_wr(VIRTIO_PCI_GFSELECT, 0, 4);
	bar_wr(VIRTIO_PCI_GF, (u32)f, 4);
	bar_wr(VIRTIO_PCI_GFSELECT, 1, 4);
	bar_wr(VIRTIO_PCI_GF, f >> 32, 4);
}

static void command(u16 bits)
{
	pci_cfg__write(&vp->pdev, PCI_REG_COMMAND, bits, 2);
}

static bool negotiate(u64 f)
{
	command(PCI_CMD_MEM | PCI_CMD_MASTER);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	driver_features(f);
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		   VIRTIO_STATUS_FEATURES_OK);
	return status() & VIRTIO_STATUS_FEATURES_OK;
}

static void queue_cfg(u16 size, u64 desc, u64 drv, u64 dev)
{
	bar_wr(VIRTIO_PCI_Q_SELECT, 0, 2);
	bar_wr(VIRTIO_PCI_Q_SIZE, size, 2);
	bar_wr(VIRTIO_PCI_Q_DESC, desc, 8);
	bar_wr(VIRTIO_PCI_Q_DRIVER, drv, 8);
	bar_wr(VIRTIO_PCI_Q_DEVICE, dev, 8);
}

static bool queue_enable(void)
{
	bar_wr(VIRTIO_PCI_Q_ENABLE, 1, 2);
	return bar_rd(VIRTIO_PCI_Q_ENABLE, 2) == 1;
}

static void msix_on(void)
{
	u16 cap = pci_dev__find_cap(&vp->pdev, PCI_CAPID_MSIX);

	pci_cfg__write(&vp->pdev, cap + 2, MSIX_CTRL_ENABLE, 2);
	for (u16 v = 0; v < 2; v++) {
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v, 0xfee00000, 4);
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v + 8, 0x40 + v, 4);
		bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 * v + 12, 0, 4);
	}
}

/* Whole driver bring-up with features @f; queue 0 on vector 1. */
static void bring_up(u64 f)
{
	cr_assert(negotiate(f));
	msix_on();
	bar_wr(VIRTIO_PCI_MSIX_CONFIG, 0, 2);
	queue_cfg(QSIZE, DESC, AVAIL, USED);
	bar_wr(VIRTIO_PCI_Q_MSIX, 1, 2);
	cr_assert(queue_enable());
	set_status(status() | VIRTIO_STATUS_DRIVER_OK);
}

static struct virtq_desc *desc(u16 i)
{
	return (struct virtq_desc *)(ram + DESC) + i;
}

static struct virtq_avail *avail(void)
{
	return (struct virtq_avail *)(ram + AVAIL);
}

static struct virtq_used *used(void)
{
	return (struct virtq_used *)(ram + USED);
}

static void post(u16 head)
{
	avail()->ring[avail_idx % QSIZE] = head;
	avail()->idx = ++avail_idx;
}

static void kick(void)
{
	bar_wr(VIRTIO_PCI_NOTIFY_OFF, 0, 2);
}

static bool all_zero(const u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* --- identity and layout --- */

Test(virtio_pci, pci_identity)
{
	struct pci_device *p = &vp->pdev;

	cr_assert_eq(pci_cfg__read(p, PCI_REG_VENDOR_ID, 2), 0x1af4);
	cr_assert_eq(pci_cfg__read(p, PCI_REG_DEVICE_ID, 2), 0x1044);
	cr_assert_eq(pci_cfg__read(p, PCI_REG_REVISION, 1), 1);
	cr_assert_eq(pci_cfg__read(p, PCI_REG_SUBSYS_VENDOR, 2), 0x1af4);
	cr_assert_eq(pci_cfg__read(p, PCI_REG_SUBSYS_ID, 2), VIRTIO_ID_RNG);
	cr_assert_eq(pci_cfg__read(p, PCI_REG_REVISION, 4) >> 8, 0xff0000);
	cr_assert_eq(p->bar[0].type, PCI_BAR_MEM32);
	cr_assert_eq(p->bar[0].size, VIRTIO_PCI_BAR_SIZE);
	cr_assert_str_eq(p->name, "virtio-rng");
	cr_assert_eq(p->dma, &vdev->dma, "the device's DMA space");
	cr_assert_eq(virtio_pci__pdev(vdev), p);
}

Test(virtio_pci, vendor_capabilities)
{
	struct pci_device *p = &vp->pdev;
	u32 seen = 0;
	u16 off = pci_cfg__read(p, PCI_REG_CAP_PTR, 1);

	for (int n = 0; off && n < 16; n++) {
		u8 id = pci_cfg__read(p, off, 1);

		if (id == PCI_CAPID_VENDOR) {
			u8 type = pci_cfg__read(p, off + 3, 1);
			u32 o = pci_cfg__read(p, off + 8, 4);
			u32 l = pci_cfg__read(p, off + 12, 4);

			seen |= 1 << type;
			if (type != VIRTIO_PCI_CAP_PCI_CFG)
				cr_assert_eq(pci_cfg__read(p, off + 4, 1), 0);
			if (type == VIRTIO_PCI_CAP_COMMON_CFG) {
				cr_assert_eq(o, VIRTIO_PCI_COMMON_OFF);
				cr_assert_geq(l, 0x38);
			}
			if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
				cr_assert_eq(pci_cfg__read(p, off + 2, 1), 20);
				cr_assert_eq(o, VIRTIO_PCI_NOTIFY_OFF);
				cr_assert_eq(l, 4);
				cr_assert_eq(pci_cfg__read(p, off + 16, 4), 4,
					     "notify_off_multiplier");
			}
			if (type == VIRTIO_PCI_CAP_ISR_CFG)
				cr_assert_eq(o, VIRTIO_PCI_ISR_OFF);
		} else {
			cr_assert_eq(id, PCI_CAPID_MSIX);
			cr_assert_eq(pci_cfg__read(p, off + 2, 2) & 0x7ff, 1,
				     "two vectors: config + one queue");
		}
		off = pci_cfg__read(p, off + 1, 1);
	}
	cr_assert_eq(seen, 1 << VIRTIO_PCI_CAP_COMMON_CFG |
			   1 << VIRTIO_PCI_CAP_NOTIFY_CFG |
			   1 << VIRTIO_PCI_CAP_ISR_CFG |
			   1 << VIRTIO_PCI_CAP_PCI_CFG,
		     "rng has no device config");
}

Test(virtio_pci, common_config_defaults)
{
	cr_assert_eq(bar_rd(VIRTIO_PCI_NUM_QUEUES, 2), 1);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_SIZE, 2), 256);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_NOFF, 2), 0);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_MSIX, 2), VIRTIO_NO_VECTOR);
	cr_assert_eq(bar_rd(VIRTIO_PCI_MSIX_CONFIG, 2), VIRTIO_NO_VECTOR);
	cr_assert_eq(status(), 0);
	bar_wr(VIRTIO_PCI_Q_SELECT, 5, 2);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_SIZE, 2), 0, "no queue 5");
	cr_assert_eq(bar_rd(VIRTIO_PCI_NUM_QUEUES, 2), 1);
	bar_wr(VIRTIO_PCI_NUM_QUEUES, 9, 2);
	cr_assert_eq(bar_rd(VIRTIO_PCI_NUM_QUEUES, 2), 1, "read-only");
	cr_assert_eq(bar_rd(0x100, 4), 0, "past the structure");
}

Test(virtio_pci, driver_cannot_set_needs_reset)
{
	set_status(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_NEEDS_RESET);
	cr_assert_eq(status(), VIRTIO_STATUS_ACKNOWLEDGE);
}

Test(virtio_pci, offered_features)
{
	u64 f = device_features();

	cr_assert(f & BIT_ULL(VIRTIO_F_VERSION_1));
	cr_assert(f & BIT_ULL(VIRTIO_F_INDIRECT_DESC));
	cr_assert(f & BIT_ULL(VIRTIO_F_EVENT_IDX));
	bar_wr(VIRTIO_PCI_DFSELECT, 2, 4);
	cr_assert_eq(bar_rd(VIRTIO_PCI_DF, 4), 0);
}

Test(virtio_pci, features_ok_needs_version_1)
{
	cr_assert_not(negotiate(BIT_ULL(VIRTIO_F_EVENT_IDX)));
	cr_assert_eq(vp->stats.features_refused, 1);
	cr_assert_eq(vdev->features, 0);
}

Test(virtio_pci, features_ok_needs_subset)
{
	cr_assert_not(negotiate(BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(5)));
	cr_assert_not(negotiate(BIT_ULL(VIRTIO_F_VERSION_1) |
				BIT_ULL(VIRTIO_F_ACCESS_PLATFORM)));
	cr_assert_eq(vp->stats.features_refused, 2);
}

Test(virtio_pci, features_ok_accepted_then_frozen)
{
	u64 f = BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_EVENT_IDX);

	cr_assert(negotiate(f));
	cr_assert_eq(vdev->features, f);
	driver_features(BIT_ULL(VIRTIO_F_VERSION_1));
	bar_wr(VIRTIO_PCI_GFSELECT, 0, 4);
	cr_assert_eq(bar_rd(VIRTIO_PCI_GF, 4), (u32)f, "frozen after OK");
	cr_assert_eq(vdev->features, f);
}

Test(virtio_pci, queue_enable_checks)
{
	queue_cfg(QSIZE, DESC, AVAIL, USED);
	cr_assert_not(queue_enable(), "before FEATURES_OK");
	cr_assert(negotiate(BIT_ULL(VIRTIO_F_VERSION_1)));
	queue_cfg(512, DESC, AVAIL, USED);
	cr_assert_not(queue_enable(), "above max size");
	queue_cfg(12, DESC, AVAIL, USED);
	cr_assert_not(queue_enable(), "not a power of two");
	queue_cfg(QSIZE, DESC + 8, AVAIL, USED);
	cr_assert_not(queue_enable(), "misaligned");
	queue_cfg(QSIZE, DESC, RAM - 8, USED);
	cr_assert_not(queue_enable(), "outside RAM");
	cr_assert_eq(vp->stats.queue_refused, 5);
	queue_cfg(QSIZE, DESC, AVAIL, USED);
	cr_assert(queue_enable());
	/* an enabled queue's config is frozen */
	bar_wr(VIRTIO_PCI_Q_SIZE, 4, 2);
	bar_wr(VIRTIO_PCI_Q_DESC, 0x4000, 8);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_SIZE, 2), QSIZE);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_DESC, 8), DESC);
	bar_wr(VIRTIO_PCI_Q_ENABLE, 0, 2);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_ENABLE, 2), 1, "0 does not disable");
}

Test(virtio_pci, queue_address_in_two_halves)
{
	bar_wr(VIRTIO_PCI_Q_DESC, 0x89abcdef, 4);
	bar_wr(VIRTIO_PCI_Q_DESC + 4, 0x01234567, 4);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_DESC, 8), 0x0123456789abcdefULL);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_DESC + 4, 4), 0x01234567);
	bar_wr(VIRTIO_PCI_Q_DRIVER + 2, 0xbeef, 2);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_DRIVER, 8), 0xbeef0000ULL);
}

Test(virtio_pci, vectors_out_of_range_read_no_vector)
{
	bar_wr(VIRTIO_PCI_MSIX_CONFIG, 2, 2);
	cr_assert_eq(bar_rd(VIRTIO_PCI_MSIX_CONFIG, 2), VIRTIO_NO_VECTOR);
	bar_wr(VIRTIO_PCI_MSIX_CONFIG, 1, 2);
	cr_assert_eq(bar_rd(VIRTIO_PCI_MSIX_CONFIG, 2), 1);
	bar_wr(VIRTIO_PCI_Q_MSIX, 7, 2);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_MSIX, 2), VIRTIO_NO_VECTOR);
	bar_wr(VIRTIO_PCI_Q_MSIX, 0, 2);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_MSIX, 2), 0);
}

/* --- the rng through the transport --- */

Test(virtio_pci, rng_fills_buffer_and_interrupts)
{
	bring_up(BIT_ULL(VIRTIO_F_VERSION_1));
	*desc(3) = (struct virtq_desc){ BUF, 64, VIRTQ_DESC_F_WRITE, 0 };
	post(3);
	kick();
	cr_assert_eq(used()->idx, 1);
	cr_assert_eq(used()->ring[0].id, 3);
	cr_assert_eq(used()->ring[0].len, 64);
	cr_assert_not(all_zero(ram + BUF, 64));
	cr_assert(all_zero(ram + BUF + 64, 64), "nothing past the buffer");
	cr_assert_eq(raises[1], 1, "queue vector");
	cr_assert_eq(raises[0], 0);
	cr_assert_eq(vp->stats.mmio_notifies, 1);
	/* ISR: queue bit, cleared by the read */
	cr_assert_eq(bar_rd(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_ISR_QUEUE);
	cr_assert_eq(bar_rd(VIRTIO_PCI_ISR_OFF, 1), 0);
}

Test(virtio_pci, rng_split_and_indirect_buffers)
{
	struct virtq_desc *t = (struct virtq_desc *)(ram + 0x40000);

	bring_up(BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_INDIRECT_DESC));
	t[0] = (struct virtq_desc){ BUF, 8, VIRTQ_DESC_F_WRITE |
				    VIRTQ_DESC_F_NEXT, 1 };
	t[1] = (struct virtq_desc){ BUF + 0x100, 24, VIRTQ_DESC_F_WRITE, 0 };
	*desc(0) = (struct virtq_desc){ 0x40000, 32, VIRTQ_DESC_F_INDIRECT, 0 };
	post(0);
	kick();
	cr_assert_eq(used()->idx, 1);
	cr_assert_eq(used()->ring[0].len, 32);
	cr_assert_not(all_zero(ram + BUF + 0x100, 24));
}

Test(virtio_pci, rng_bad_chain_returned_empty)
{
	bring_up(BIT_ULL(VIRTIO_F_VERSION_1));
	*desc(0) = (struct virtq_desc){ RAM - 8, 64, VIRTQ_DESC_F_WRITE, 0 };
	*desc(1) = (struct virtq_desc){ BUF, 16, VIRTQ_DESC_F_WRITE, 0 };
	post(0);
	post(1);
	kick();
	cr_assert_eq(used()->idx, 2);
	cr_assert_eq(used()->ring[0].id, 0);
	cr_assert_eq(used()->ring[0].len, 0);
	cr_assert_eq(used()->ring[1].len, 16);
	cr_assert_eq(vp->queues[0].vq.stats.bad_chains, 1);
	cr_assert_eq(vp->queues[0].vq.stats.bad_addr, 1);
	cr_assert(all_zero(ram + RAM - 8, 8));
}

Test(virtio_pci, kick_before_driver_ok_waits)
{
	cr_assert(negotiate(BIT_ULL(VIRTIO_F_VERSION_1)));
	msix_on();
	queue_cfg(QSIZE, DESC, AVAIL, USED);
	bar_wr(VIRTIO_PCI_Q_MSIX, 1, 2);
	cr_assert(queue_enable());
	*desc(0) = (struct virtq_desc){ BUF, 16, VIRTQ_DESC_F_WRITE, 0 };
	post(0);
	kick();
	cr_assert_eq(used()->idx, 0, "no buffers used before DRIVER_OK");
	set_status(status() | VIRTIO_STATUS_DRIVER_OK);
	cr_assert_eq(used()->idx, 1, "looked at on DRIVER_OK");
}

Test(virtio_pci, no_dma_without_bus_master)
{
	bring_up(BIT_ULL(VIRTIO_F_VERSION_1));
	command(PCI_CMD_MEM);
	*desc(0) = (struct virtq_desc){ BUF, 16, VIRTQ_DESC_F_WRITE, 0 };
	post(0);
	kick();
	cr_assert_eq(used()->idx, 0);
	cr_assert(all_zero(ram + BUF, 16));
	cr_assert_eq(vp->stats.no_bus_master, 1);
	command(PCI_CMD_MEM | PCI_CMD_MASTER);
	cr_assert_eq(used()->idx, 1, "processed once mastering is back");
	cr_assert_eq(raises[1], 1);
}

Test(virtio_pci, masked_vector_pends)
{
	bring_up(BIT_ULL(VIRTIO_F_VERSION_1));
	bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 + 12, 1, 4);	/* mask v1 */
	*desc(0) = (struct virtq_desc){ BUF, 16, VIRTQ_DESC_F_WRITE, 0 };
	post(0);
	kick();
	cr_assert_eq(raises[1], 0);
	cr_assert_eq(bar_rd(VIRTIO_PCI_MSIX_PBA_OFF, 8), 1 << 1);
	bar_wr(VIRTIO_PCI_MSIX_TABLE_OFF + 16 + 12, 0, 4);
	cr_assert_eq(raises[1], 1);
}

Test(virtio_pci, event_idx_suppresses_interrupts)
{
	bring_up(BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_F_EVENT_IDX));
	*desc(0) = (struct virtq_desc){ BUF, 16, VIRTQ_DESC_F_WRITE, 0 };
	post(0);
	kick();
	cr_assert_eq(raises[1], 1);
	/* avail_event published: the driver should kick for entry 1 */
	cr_assert_eq(*(u16 *)(ram + USED + 4 + 8 * QSIZE), 1);
	avail()->ring[QSIZE] = 5;	/* used_event: interrupt after 5 */
	post(0);
	kick();
	cr_assert_eq(used()->idx, 2);
	cr_assert_eq(raises[1], 1, "suppressed");
	for (int i = 0; i < 4; i++) {
		post(0);
		kick();
	}
	cr_assert_eq(used()->idx, 6);
	cr_assert_eq(raises[1], 2, "used idx went past 5");
}

Test(virtio_pci, broken_queue_needs_reset)
{
	bring_up(BIT_ULL(VIRTIO_F_VERSION_1));
	u8 gen = bar_rd(VIRTIO_PCI_CFG_GENERATION, 1);

	avail()->idx = QSIZE + 1;
	kick();
	cr_assert(status() & VIRTIO_STATUS_NEEDS_RESET);
	cr_assert_eq(raises[0], 1, "config vector");
	cr_assert_neq(bar_rd(VIRTIO_PCI_CFG_GENERATION, 1), gen);
	cr_assert_eq(bar_rd(VIRTIO_PCI_ISR_OFF, 1), VIRTIO_ISR_CONFIG);
	cr_assert_eq(used()->idx, 0);
	/* the driver cannot clear it except by reset */
	set_status(status() & ~VIRTIO_STATUS_NEEDS_RESET);
	cr_assert(status() & VIRTIO_STATUS_NEEDS_RESET);
	set_status(0);
	cr_assert_eq(status(), 0);
}

Test(virtio_pci, reset_clears_everything)
{
	bring_up(BIT_ULL(VIRTIO_F_VERSION_1));
	set_status(0);
	cr_assert_eq(status(), 0);
	cr_assert_eq(vdev->features, 0);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_ENABLE, 2), 0);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_MSIX, 2), VIRTIO_NO_VECTOR);
	cr_assert_eq(bar_rd(VIRTIO_PCI_MSIX_CONFIG, 2), VIRTIO_NO_VECTOR);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_DESC, 8), 0);
	cr_assert_eq(bar_rd(VIRTIO_PCI_Q_SIZE, 2), 256);
	bar_wr(VIRTIO_PCI_GFSELECT, 0, 4);
	cr_assert_eq(bar_rd(VIRTIO_PCI_GF, 4), 0);
	/* a kick now is ignored and counted, the ring is untouched */
	*desc(0) = (struct virtq_desc){ BUF, 16, VIRTQ_DESC_F_WRITE, 0 };
	post(0);
	kick();
	cr_assert_eq(used()->idx, 0);
	cr_assert_eq(vp->stats.bad_notifies, 1);
	/* and the device comes back after a fresh bring-up */
	memset(ram + USED, 0, 0x1000);
	memset(ram + AVAIL, 0, 0x1000);
	avail_idx = 0;
	bring_up(BIT_ULL(VIRTIO_F_VERSION_1));
	post(0);
	kick();
	cr_assert_eq(used()->idx, 1);
}

Test(virtio_pci, notify_for_unknown_queue)
{
	bring_up(BIT_ULL(VIRTIO_F_VERSION_1));
	virtio_pci__notify(vp, 7);
	cr_assert_eq(vp->stats.bad_notifies, 1);
}

Test(virtio_pci, pci_cfg_access_window)
{
	struct pci_device *p = &vp->pdev;
	u16 cap = 0, off = pci_cfg__read(p, PCI_REG_CAP_PTR, 1);

	for (int n = 0; off && n < 16; n++) {
		if (pci_cfg__read(p, off, 1) == PCI_CAPID_VENDOR &&
		    pci_cfg__read(p, off + 3, 1) == VIRTIO_PCI_CAP_PCI_CFG)
			cap = off;
		off = pci_cfg__read(p, off + 1, 1);
	}
	cr_assert_neq(cap, 0);
	pci_cfg__write(p, cap + 4, 0, 1);
	pci_cfg__write(p, cap + 8, VIRTIO_PCI_NUM_QUEUES, 4);
	pci_cfg__write(p, cap + 12, 2, 4);
	cr_assert_eq(pci_cfg__read(p, cap + 16, 2), 1, "num_queues");
	/* write through it: device status */
	pci_cfg__write(p, cap + 8, VIRTIO_PCI_STATUS, 4);
	pci_cfg__write(p, cap + 12, 1, 4);
	pci_cfg__write(p, cap + 16, VIRTIO_STATUS_ACKNOWLEDGE, 1);
	cr_assert_eq(status(), VIRTIO_STATUS_ACKNOWLEDGE);
	/* a bad window (length 3) does nothing */
	pci_cfg__write(p, cap + 12, 3, 4);
	pci_cfg__write(p, cap + 16, 0, 1);
	cr_assert_eq(status(), VIRTIO_STATUS_ACKNOWLEDGE);
}
