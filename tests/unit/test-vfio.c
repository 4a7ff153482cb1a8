// SPDX-License-Identifier: GPL-2.0
/*
 * vfio/ over a fake vfio-pci device (test-vfio-fake.c): what VFIO is asked
 * and how its answers become the guest's function -- region and IRQ
 * discovery (sparse mmap, the argsz retry), configuration virtualization
 * (IDs, BAR sizing, hidden and emulated capabilities, PASID/PRI/ATS and
 * what the endpoint offers the vIOMMU), the command register written
 * through, KVM slots and trapped BAR accesses, FLR (drain first), error
 * paths; then finding the cdev in sysfs and the --vfio option.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/vfio.h>

#include <vsva/msix.h>
#include <vsva/run.h>
#include <vsva/virtio-iommu-abi.h>

#include "test-vfio-fake.h"

static struct fake_vfio f;
static struct vfio_pci vp;

static void setup(void)
{
	fv__init(&f);
	cr_redirect_stderr();
}

static void teardown(void)
{
	fv__free(&f);
}

TestSuite(vfio, .init = setup, .fini = teardown);

static u32 rd(u16 off, u32 len)
{
	return pci_cfg__read(&vp.pdev, off, len);
}

static void wr(u16 off, u32 val, u32 len)
{
	pci_cfg__write(&vp.pdev, off, val, len);
}

/* Everything set-up took is given back. */
static void down(void)
{
	vfio_pci__teardown(&vp);
	cr_assert_eq(f.mapped, 0, "%d mappings left", f.mapped);
	cr_assert_eq(f.open_fds, 0, "%d eventfds left", f.open_fds);
}

Test(vfio, edu_config_view)
{
	u16 msi;

	fv__edu(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	cr_assert_eq(rd(PCI_REG_VENDOR_ID, 4), 0x11e81234);
	cr_assert_eq(rd(PCI_REG_REVISION, 4), 0x00ff0010);
	cr_assert_eq(rd(PCI_REG_SUBSYS_VENDOR, 4), 0x11001af4);
	cr_assert_eq(rd(PCI_REG_HEADER_TYPE, 1), 0);
	cr_assert_eq(rd(PCI_REG_INT_PIN, 1), 0, "no INTx is offered");
	cr_assert_eq(rd(PCI_REG_COMMAND, 2), 0);
	/* BAR0: type from the device, size from its region, address ours. */
	cr_assert_eq(vp.pdev.bar[0].type, PCI_BAR_MEM32);
	cr_assert_eq(vp.pdev.bar[0].size, 1 << 20);
	cr_assert_eq(rd(PCI_REG_BAR0, 4), 0, "the host address leaked");
	wr(PCI_REG_BAR0, 0xffffffff, 4);
	cr_assert_eq(rd(PCI_REG_BAR0, 4), 0xfff00000);
	for (int i = 1; i < PCI_NR_BARS; i++)
		cr_assert_eq(vp.pdev.bar[i].type, PCI_BAR_NONE);
	wr(PCI_REG_ROM, 0xffffffff, 4);
	cr_assert_eq(rd(PCI_REG_ROM, 4), 0, "no expansion ROM");
	/* MSI: 64-bit, one vector, no per-vector masking. */
	msi = pci_dev__find_cap(&vp.pdev, 0x05);
	cr_assert_neq(msi, 0);
	cr_assert_eq(msi, vp.lay.msi);
	cr_assert_eq(rd(msi + 2, 2), 0x0080);
	cr_assert_eq(pci_dev__find_cap(&vp.pdev, PCI_CAPID_EXP), 0);
	cr_assert_eq(pci_dev__find_cap(&vp.pdev, PCI_CAPID_MSIX), 0);
	cr_assert_eq(vp.caps.pasid_bits, 0);
	cr_assert(!vp.caps.page_req);
	cr_assert_eq(vp.pdev.iommu_caps, &vp.caps);
	cr_assert_not_null(vp.pdev.dma, "the vIOMMU takes DMA-capable ones");
	/* Decoding and mastering off on the device, SERR untouched. */
	cr_assert_eq(fv__cmd(&f), PCI_CMD_SERR);
	/* BAR0 mapped whole, one KVM slot planned. */
	cr_assert_eq(vp.vd.regions[0].nr_areas, 1);
	cr_assert_eq(vp.nr_slots, 1);
	cr_assert_eq(vp.slots[0].off, 0);
	cr_assert_eq(vp.slots[0].size, 1 << 20);
	cr_assert_eq(vp.slots[0].hva, vp.vd.regions[0].areas[0].hva);
	cr_assert_eq(vp.slots[0].slot, -1);
	down();
}

Test(vfio, bar_types_and_sizing)
{
	fv__sva(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	cr_assert_eq(vp.pdev.bar[0].type, PCI_BAR_MEM32);
	cr_assert_eq(vp.pdev.bar[2].type, PCI_BAR_MEM64);
	cr_assert(vp.pdev.bar[2].prefetch);
	cr_assert_eq(vp.pdev.bar[3].type, PCI_BAR_MEM64_HI);
	cr_assert_eq(vp.pdev.bar[4].type, PCI_BAR_IO);
	cr_assert_eq(vp.pdev.bar[4].size, 0x20);
	wr(PCI_REG_BAR0 + 8, 0xffffffff, 4);
	wr(PCI_REG_BAR0 + 12, 0xffffffff, 4);
	cr_assert_eq(rd(PCI_REG_BAR0 + 8, 4), 0xfff0000c);
	cr_assert_eq(rd(PCI_REG_BAR0 + 12, 4), 0xffffffff);
	wr(PCI_REG_BAR0 + 16, 0xffffffff, 4);
	cr_assert_eq(rd(PCI_REG_BAR0 + 16, 4), 0xffffffe1);
	/* The I/O BAR is never mapped: no MMAP flag. */
	cr_assert_eq(vp.vd.regions[4].nr_areas, 0);
	down();
}

/* MSI-X table (0x2000) and PBA (0x3000) pages stay trapped. */
Test(vfio, msix_pages_left_out_of_slots)
{
	fv__sva(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	cr_assert_eq(vp.nr_slots, 2);
	cr_assert_eq(vp.slots[0].bar, 0);
	cr_assert_eq(vp.slots[0].off, 0);
	cr_assert_eq(vp.slots[0].size, 0x2000);
	cr_assert_eq(vp.slots[1].bar, 2);
	cr_assert_eq(vp.slots[1].size, 1 << 20);
	down();
}

Test(vfio, msix_two_holes)
{
	fv__sva(&f);
	f.cfg[0x95] = 0x10;		/* table at 0x1000, PBA at 0x3000 */
	cr_assert_eq(fv__setup(&f, &vp), 0);
	cr_assert_eq(vp.lay.msix_table_off, 0x1000);
	cr_assert_eq(vp.nr_slots, 3);
	cr_assert_eq(vp.slots[0].off, 0);
	cr_assert_eq(vp.slots[0].size, 0x1000);
	cr_assert_eq(vp.slots[1].off, 0x2000);
	cr_assert_eq(vp.slots[1].size, 0x1000);
	cr_assert_eq((u8 *)vp.slots[1].hva,
		     (u8 *)vp.vd.regions[0].areas[0].hva + 0x2000);
	down();
}

/* A sparse-mmap capability: the first GET_REGION_INFO is too small, the
 * second gets the areas; only they are mapped. */
Test(vfio, sparse_mmap_areas)
{
	const struct fv_call *c0, *c1;

	fv__sva(&f);
	f.regions[0].nr_sparse = 2;
	f.regions[0].sparse[0].off = 0;
	f.regions[0].sparse[0].size = 0x2000;
	f.regions[0].sparse[1].off = 0x3000;
	f.regions[0].sparse[1].size = 0x1000;
	cr_assert_eq(fv__setup(&f, &vp), 0);
	c0 = fv__find(&f, FV_REGION_INFO, 0);
	c1 = fv__find(&f, FV_REGION_INFO, 1);
	cr_assert_eq(c0->index, 0);
	cr_assert_eq(c1->index, 0, "no second ask for region 0");
	cr_assert_eq(c0->argsz, sizeof(struct vfio_region_info));
	cr_assert_gt(c1->argsz, c0->argsz);
	cr_assert_eq(vp.vd.regions[0].nr_areas, 2);
	cr_assert_eq(vp.vd.regions[0].areas[1].off, 0x3000);
	/* [0x3000, 0x4000) is the PBA's page: no slot there. */
	cr_assert_eq(vp.nr_slots, 2);
	cr_assert_eq(vp.slots[0].size, 0x2000);
	cr_assert_eq(vp.slots[1].bar, 2);
	cr_assert_eq(fv__count(&f, FV_MMAP), 3);
	down();
}

Test(vfio, slots_follow_decoding)
{
	const struct fv_call *c;

	fv__edu(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	vfio_bar__live(&vp, 0, 0xc0000000, true);
	vfio_bar__live(&vp, 0, 0xc0000000, true);
	cr_assert_eq(fv__count(&f, FV_SLOT_ADD), 1, "slot added twice");
	c = fv__find(&f, FV_SLOT_ADD, 0);
	cr_assert_eq(c->gpa, 0xc0000000);
	cr_assert_eq(c->len, 1 << 20);
	cr_assert_eq(c->hva, vp.vd.regions[0].areas[0].hva);
	cr_assert_eq(vp.slots[0].slot, 2);
	vfio_bar__live(&vp, 0, 0xc0000000, false);
	c = fv__find(&f, FV_SLOT_DEL, 0);
	cr_assert_not_null(c);
	cr_assert_eq(c->slot, 2);
	cr_assert_eq(vp.slots[0].slot, -1);
	/* KVM refuses: the BAR stays trapped, counted, nothing to delete. */
	f.slot_err = -EEXIST;
	vfio_bar__live(&vp, 0, 0xd0000000, true);
	cr_assert_eq(vp.stats.slot_errors, 1);
	cr_assert_eq(vp.slots[0].slot, -1);
	vfio_bar__live(&vp, 0, 0xd0000000, false);
	cr_assert_eq(fv__count(&f, FV_SLOT_DEL), 1);
	cr_assert_eq(vp.stats.slots, 1);
	down();
}

Test(vfio, trapped_bar_access)
{
	const struct fv_call *c;
	u8 buf[4] = { 1, 2, 3, 4 };
	u32 v = 0;

	fv__sva(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	pci_dev__bar_access(&vp.pdev, 4, 0x10, buf, 4, true);
	c = fv__find(&f, FV_PWRITE, 1);	/* 0: the command register */
	cr_assert_not_null(c);
	cr_assert_eq(c->index, 4);
	cr_assert_eq(c->off, 0x10);
	cr_assert_eq(c->data, 0x04030201);
	pci_dev__bar_access(&vp.pdev, 4, 0x10, (u8 *)&v, 4, false);
	cr_assert_eq(v, 0x04030201);
	/* The MSI-X table is msix.c's: the device never sees it. */
	int before = fv__count(&f, FV_PREAD);

	pci_dev__bar_access(&vp.pdev, 0, 0x2000, (u8 *)&v, 4, false);
	cr_assert_eq(fv__count(&f, FV_PREAD), before);
	/* Past the 8 entries it is the device's again. */
	pci_dev__bar_access(&vp.pdev, 0, 0x2080, (u8 *)&v, 4, false);
	cr_assert_eq(fv__count(&f, FV_PREAD), before + 1);
	/* A failed access reads all ones, counted. */
	f.pread_fails = true;
	pci_dev__bar_access(&vp.pdev, 4, 0, (u8 *)&v, 4, false);
	cr_assert_eq(v, 0xffffffff);
	cr_assert_eq(vp.stats.bar_errors, 1);
	cr_assert_eq(vp.stats.bar_traps, 4);
	down();
}

Test(vfio, command_written_through)
{
	int del, put;

	fv__edu(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	wr(PCI_REG_COMMAND, PCI_CMD_MEM | PCI_CMD_MASTER, 2);
	cr_assert_eq(fv__cmd(&f), PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_SERR);
	cr_assert_eq(vp.stats.cmd_writes, 2);	/* set-up, then this */
	/* Parity is the guest's view only: no host write. */
	wr(PCI_REG_COMMAND, PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_PARITY, 2);
	cr_assert_eq(vp.stats.cmd_writes, 2);
	cr_assert_eq(rd(PCI_REG_COMMAND, 2),
		     PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_PARITY);
	/* Memory off: the slot goes before the device stops decoding. */
	vfio_bar__live(&vp, 0, 0xc0000000, true);
	f.nr = 0;
	wr(PCI_REG_COMMAND, PCI_CMD_MASTER, 2);
	del = fv__pos(&f, FV_SLOT_DEL);
	put = fv__pos(&f, FV_PWRITE);
	cr_assert_geq(del, 0);
	cr_assert_gt(put, del, "memory decoding stopped under a live slot");
	cr_assert_eq(fv__cmd(&f), PCI_CMD_MASTER | PCI_CMD_SERR);
	down();
}

Test(vfio, extended_caps_for_the_viommu)
{
	u16 pasid, pri, ats, exp;

	fv__sva(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	exp = pci_dev__find_cap(&vp.pdev, PCI_CAPID_EXP);
	cr_assert_neq(exp, 0);
	cr_assert_eq(rd(exp + 2, 2), 0x0002);
	cr_assert_eq(rd(exp + 0x0c, 4), 0x00437d03, "link capabilities");
	cr_assert(rd(exp + 4, 4) & (1U << 28), "FLR: VFIO can reset it");
	cr_assert_eq(pci_dev__find_cap(&vp.pdev, PCI_CAPID_VENDOR), 0,
		     "vendor capability not hidden");
	cr_assert_neq(pci_dev__find_cap(&vp.pdev, PCI_CAPID_MSIX), 0);
	cr_assert_eq(pci_dev__find_ext_cap(&vp.pdev, 0x0001), 0,
		     "AER not hidden");
	pasid = pci_dev__find_ext_cap(&vp.pdev, PCI_EXTCAPID_PASID);
	pri = pci_dev__find_ext_cap(&vp.pdev, PCI_EXTCAPID_PRI);
	ats = pci_dev__find_ext_cap(&vp.pdev, PCI_EXTCAPID_ATS);
	cr_assert(pasid && pri && ats);
	cr_assert_eq(pasid, PCI_CFG_EXT_START, "first in vsva's list");
	cr_assert_eq(rd(pasid + 4, 2), 0x1406);
	wr(pasid + 6, 0xffff, 2);
	cr_assert_eq(rd(pasid + 6, 2), 0x7);
	cr_assert_eq(rd(ats + 4, 2), 0x0020);
	/* What the endpoint offers the vIOMMU. */
	cr_assert_eq(vp.caps.pasid_bits, 20);
	cr_assert_eq(vp.caps.formats,
		     VSVA_S1_FMT_X86_64_4LVL | VSVA_S1_FMT_X86_64_5LVL);
	cr_assert(vp.caps.page_req);
	cr_assert_eq(vp.caps.prq_capacity, 512);
	/* PRI: stopped while disabled; Reset clears Response Failure. */
	cr_assert_eq(rd(pri + 6, 2), 0x8100);
	cr_assert_eq(rd(pri + 8, 4), 512);
	wr(pri + 4, 1, 2);
	cr_assert_eq(rd(pri + 6, 2), 0x8000);
	pci_cfg__set(&vp.pdev, pri + 6, 0x8001, 2);
	wr(pri + 4, 3, 2);
	cr_assert_eq(rd(pri + 6, 2), 0x8000);
	cr_assert_eq(rd(pri + 4, 2), 1, "the reset bit stuck");
	wr(pri + 0xc, 64, 4);
	cr_assert_eq(rd(pri + 0xc, 4), 64);
	down();
}

Test(vfio, no_page_requests_without_pasid)
{
	fv__sva(&f);
	/* AER -> PRI -> ATS: no PASID capability. */
	f.cfg[0x102] = (f.cfg[0x102] & 0x0f) | 0x00;
	f.cfg[0x103] = 0x15;			/* next = 0x150 */
	cr_assert_eq(fv__setup(&f, &vp), 0);
	cr_assert_eq(pci_dev__find_ext_cap(&vp.pdev, PCI_EXTCAPID_PASID), 0);
	cr_assert_neq(pci_dev__find_ext_cap(&vp.pdev, PCI_EXTCAPID_PRI), 0);
	cr_assert_eq(vp.caps.pasid_bits, 0);
	cr_assert(!vp.caps.page_req);
	cr_assert_eq(vp.caps.formats, 0);
	down();
}

/* FLR: the vIOMMU drains the endpoint first, then interrupts go, then
 * VFIO_DEVICE_RESET; the guest's registers come back to reset values. */
Test(vfio, flr_drains_before_reset)
{
	struct viommu_endpoint ep = { .id = 0x18 };
	u16 exp;
	int drain, del, off, reset;
	const struct fv_call *c;

	fv__sva(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	vp.ep = &ep;
	exp = vp.lay.exp;
	wr(PCI_REG_BAR0, 0xc0000000, 4);
	wr(PCI_REG_COMMAND, PCI_CMD_MEM | PCI_CMD_MASTER, 2);
	vfio_bar__live(&vp, 0, 0xc0000000, true);
	wr(vp.lay.msix + 2, MSIX_CTRL_ENABLE, 2);
	cr_assert(vp.msix_live);
	wr(exp + 8, 0x2810, 2);
	f.nr = 0;
	wr(exp + 8, 0x2810 | 0x8000, 2);
	drain = fv__pos(&f, FV_EP_RESET);
	del = fv__pos(&f, FV_SLOT_DEL);
	off = fv__pos(&f, FV_SET_IRQS);
	reset = fv__pos(&f, FV_RESET);
	cr_assert_eq(drain, 0, "the drain is not first");
	cr_assert_eq(fv__find(&f, FV_EP_RESET, 0)->index, 0x18);
	cr_assert(del > drain && off > del && reset > off,
		  "order drain %d, slot %d, irqs off %d, reset %d", drain, del,
		  off, reset);
	c = fv__find(&f, FV_SET_IRQS, 0);
	cr_assert_eq(c->index, VFIO_IRQ_MSIX);
	cr_assert_eq(c->count, 0);
	cr_assert_eq(vp.stats.resets, 1);
	cr_assert(!vp.msix_live);
	cr_assert_eq(rd(exp + 8, 2), 0x2810, "FLR bit or device control kept");
	cr_assert_eq(rd(PCI_REG_COMMAND, 2), 0);
	cr_assert_eq(rd(PCI_REG_BAR0, 4), 0, "BARs cleared by an FLR");
	cr_assert_eq(rd(vp.lay.msix + 2, 2) & MSIX_CTRL_ENABLE, 0);
	cr_assert_eq(fv__cmd(&f) & (PCI_CMD_MEM | PCI_CMD_MASTER), 0);
	down();
}

Test(vfio, no_flr_without_vfio_reset)
{
	u16 exp;

	fv__sva(&f);
	f.dev_flags &= ~VFIO_DEVICE_FLAGS_RESET;
	cr_assert_eq(fv__setup(&f, &vp), 0);
	exp = vp.lay.exp;
	cr_assert_eq(rd(exp + 4, 4) & (1U << 28), 0,
		     "FLR offered but VFIO cannot reset");
	wr(exp + 8, 0x8000, 2);
	cr_assert_eq(fv__count(&f, FV_RESET), 0);
	cr_assert_eq(rd(exp + 8, 2) & 0x8000, 0);
	cr_assert_eq(vfio_pci__reset(&vp), -ENOTTY);
	cr_assert_eq(vp.stats.reset_errors, 1);
	down();
}

Test(vfio, reset_without_viommu_and_refused)
{
	fv__sva(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	f.reset_err = -EIO;
	wr(PCI_REG_COMMAND, PCI_CMD_MASTER, 2);
	cr_assert_eq(vfio_pci__reset(&vp), -EIO);
	cr_assert_eq(fv__count(&f, FV_EP_RESET), 0, "no endpoint to drain");
	cr_assert_eq(vp.stats.reset_errors, 1);
	cr_assert_eq(rd(PCI_REG_COMMAND, 2), 0, "registers not reset");
	cr_assert_eq(fv__cmd(&f) & PCI_CMD_MASTER, 0);
	down();
}

Test(vfio, refusals, .init = cr_redirect_stderr)
{
	fv__edu(&f);
	f.dev_flags = 0;
	cr_assert_eq(fv__setup(&f, &vp), -ENODEV, "not a PCI device");
	fv__free(&f);

	fv__init(&f);
	fv__edu(&f);
	f.info_err = -ENOTTY;
	cr_assert_eq(fv__setup(&f, &vp), -ENOTTY);
	fv__free(&f);

	fv__init(&f);
	fv__edu(&f);
	f.region_err = -EFAULT;
	f.region_err_index = 0;
	cr_assert_eq(fv__setup(&f, &vp), -EFAULT);
	fv__free(&f);

	fv__init(&f);
	fv__edu(&f);
	f.cfg[PCI_REG_HEADER_TYPE] = 0x81;	/* a bridge */
	cr_assert_eq(fv__setup(&f, &vp), -ENOTSUP);
	cr_assert_eq(f.mapped, 0);
	fv__free(&f);

	fv__init(&f);
	fv__edu(&f);
	f.regions[VFIO_REGION_CONFIG].size = 64;
	cr_assert_eq(fv__setup(&f, &vp), -ENODEV);
	fv__free(&f);

	fv__init(&f);
	fv__edu(&f);
	f.pread_fails = true;
	cr_assert_eq(fv__setup(&f, &vp), -EIO);
	fv__free(&f);

	fv__init(&f);
	fv__sva(&f);
	f.eventfd_fails = true;		/* MSI-X needs its eventfds */
	cr_assert_eq(fv__setup(&f, &vp), -EMFILE);
	cr_assert_eq(f.mapped, 0, "mappings left after a failed set-up");
	cr_assert_eq(f.open_fds, 0);
}

/* mmap refused: the function still works, every BAR trapped. */
Test(vfio, mmap_refused_traps, .init = cr_redirect_stderr)
{
	u32 v = 0;

	fv__edu(&f);
	f.mmap_fails = true;
	cr_assert_eq(fv__setup(&f, &vp), 0);
	cr_assert_eq(vp.nr_slots, 0);
	f.bar_mem[0] = 0xed;
	pci_dev__bar_access(&vp.pdev, 0, 0, (u8 *)&v, 4, false);
	cr_assert_eq(v, 0xed);
	down();
}

/* --- finding the cdev --- */

static char tmp[64];

static void mkdirs(const char *rel)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", tmp, rel);
	cr_assert_eq(system(cmd), 0);
}

Test(vfio_resolve, sysfs_and_paths)
{
	char path[128], cmd[128];

	snprintf(tmp, sizeof(tmp), "/tmp/vsva-vfio-test.%d", getpid());
	mkdirs("bus/pci/devices/0000:00:03.0/vfio-dev/vfio3");
	mkdirs("bus/pci/devices/0000:00:04.0");
	cr_assert_eq(vfio__resolve("0000:00:03.0", tmp, path, sizeof(path)),
		     0);
	cr_assert_str_eq(path, "/dev/vfio/devices/vfio3");
	cr_assert_eq(vfio__resolve("00:03.0", tmp, path, sizeof(path)), 0);
	cr_assert_str_eq(path, "/dev/vfio/devices/vfio3");
	cr_assert_eq(vfio__resolve("0000:00:04.0", tmp, path, sizeof(path)),
		     -ENOENT, "not bound to vfio-pci");
	cr_assert_eq(vfio__resolve("0000:00:05.0", tmp, path, sizeof(path)),
		     -ENODEV);
	cr_assert_eq(vfio__resolve("/dev/vfio/devices/vfio9", tmp, path,
				   sizeof(path)), 0);
	cr_assert_str_eq(path, "/dev/vfio/devices/vfio9");
	cr_assert_eq(vfio__resolve("/dev/vfio/devices/vfio9", tmp, path, 8),
		     -ENAMETOOLONG);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	cr_assert_eq(system(cmd), 0);

	cr_assert(vfio__is_bdf("0000:00:03.0"));
	cr_assert(vfio__is_bdf("00:1f.7"));
	cr_assert(!vfio__is_bdf("00:20.0"), "device 0x20");
	cr_assert(!vfio__is_bdf("00:03.8"), "function 8");
	cr_assert(!vfio__is_bdf("/dev/vfio/devices/vfio0"));
	cr_assert(!vfio__is_bdf("vfio0"));
	cr_assert(!vfio__is_bdf("00:03.0x"));
}

static int parse(struct vm_config *cfg, int argc, const char **argv)
{
	return run__parse(argc, (char **)argv, cfg);
}

Test(vfio_args, option, .init = cr_redirect_stderr)
{
	struct vm_config cfg;
	const char *two[] = { "run", "-f", "edu-dma", "--vfio", "0000:00:03.0",
			      "--vfio", "/dev/vfio/devices/vfio1" };
	const char *five[] = { "run", "-f", "x", "--vfio", "a", "--vfio", "b",
			       "--vfio", "c", "--vfio", "d", "--vfio", "e" };
	const char *empty[] = { "run", "-f", "x", "--vfio", "" };

	cr_assert_eq(parse(&cfg, 7, two), 0);
	cr_assert_eq(cfg.nr_vfio, 2);
	cr_assert_str_eq(cfg.vfio[0], "0000:00:03.0");
	cr_assert_str_eq(cfg.vfio[1], "/dev/vfio/devices/vfio1");
	cr_assert_eq(parse(&cfg, 13, five), 2);
	cr_assert_eq(parse(&cfg, 5, empty), 2);
}

/* With a vIOMMU: probed before the backend binds the device for good;
 * nothing touches the device until the vIOMMU takes the function. */
Test(vfio, activated_when_the_viommu_takes_it)
{
	struct viommu_endpoint ep = { .id = 0x18 };

	fv__edu(&f);
	memset(&vp, 0, sizeof(vp));
	cr_assert_eq(vfio_pci__probe(&vp, 7, &f.sys, &fv_vm_ops, &f, "fake"),
		     0);
	cr_assert_eq(fv__count(&f, FV_MMAP), 0);
	cr_assert_eq(fv__count(&f, FV_PWRITE), 0);
	cr_assert(!vp.active);
	vfio_bar__live(&vp, 0, 0xc0000000, true);
	cr_assert_eq(fv__count(&f, FV_SLOT_ADD), 0);
	vp.pdev.ops->iommu_attached(&vp.pdev, &ep);
	cr_assert(vp.active);
	cr_assert_eq(vp.ep, &ep);
	cr_assert_eq(fv__count(&f, FV_MMAP), 1);
	cr_assert_eq(fv__cmd(&f), PCI_CMD_SERR);
	vp.pdev.ops->iommu_attached(&vp.pdev, &ep);
	cr_assert_eq(fv__count(&f, FV_MMAP), 1, "activated twice");
	down();
}

/* INTx, MSI and MSI-X must answer; the error and request indexes may not. */
Test(vfio, optional_irq_indexes, .init = cr_redirect_stderr)
{
	fv__edu(&f);
	cr_assert_eq(fv__setup(&f, &vp), 0);
	cr_assert_eq(vp.vd.irqs[3].count, 0);
	cr_assert_eq(vp.vd.irqs[4].count, 1);
	down();
	fv__free(&f);

	fv__init(&f);
	fv__edu(&f);
	f.irq_einval = 1U << VFIO_IRQ_MSI;
	cr_assert_eq(fv__setup(&f, &vp), -EINVAL);
}
