// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration space (pure layer), MSI-X, and the bus on a vm whose
 * port/MMIO tables are real io_tables (no KVM needed: nothing here makes an
 * ioctl).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/io.h>
#include <vsva/msix.h>
#include <vsva/pci.h>

static struct pci_device *p;

static void setup(void)
{
	p = calloc(1, sizeof(*p));
	cr_assert(p);
	pci_dev__init(p, 0x1234, 0x5678, 0x0c0330, 7);
}

static void teardown(void)
{
	msix__free(p);
	free(p);
}

static u32 rd(u16 off, u32 len)
{
	return pci_cfg__read(p, off, len);
}

static void wr(u16 off, u32 val, u32 len)
{
	pci_cfg__write(p, off, val, len);
}

TestSuite(pci_cfg, .init = setup, .fini = teardown);

Test(pci_cfg, header_fields)
{
	cr_assert_eq(rd(PCI_REG_VENDOR_ID, 2), 0x1234);
	cr_assert_eq(rd(PCI_REG_DEVICE_ID, 2), 0x5678);
	cr_assert_eq(rd(0, 4), 0x56781234);
	cr_assert_eq(rd(PCI_REG_REVISION, 4), 0x0c033007);
	cr_assert_eq(rd(PCI_REG_HEADER_TYPE, 1), 0);
	cr_assert_eq(rd(PCI_REG_CAP_PTR, 1), 0);
	cr_assert_eq(rd(PCI_REG_STATUS, 2) & PCI_STS_CAP_LIST, 0);
	cr_assert_eq(rd(PCI_REG_INT_PIN, 1), 0, "no INTx");
}

Test(pci_cfg, read_only_fields_ignore_writes)
{
	wr(PCI_REG_VENDOR_ID, 0xffffffff, 4);
	wr(PCI_REG_REVISION, 0xffffffff, 4);
	wr(PCI_REG_HEADER_TYPE, 0xff, 1);
	wr(PCI_REG_CAP_PTR, 0xff, 1);
	wr(PCI_REG_SUBSYS_VENDOR, 0xffffffff, 4);
	wr(PCI_REG_INT_PIN, 0xff, 1);
	cr_assert_eq(rd(0, 4), 0x56781234);
	cr_assert_eq(rd(PCI_REG_REVISION, 4), 0x0c033007);
	cr_assert_eq(rd(PCI_REG_HEADER_TYPE, 1), 0);
	cr_assert_eq(rd(PCI_REG_CAP_PTR, 1), 0);
	cr_assert_eq(rd(PCI_REG_SUBSYS_VENDOR, 4), 0);
	cr_assert_eq(rd(PCI_REG_INT_PIN, 1), 0);
	/* writable scratch registers do change */
	wr(PCI_REG_INT_LINE, 0x0b, 1);
	cr_assert_eq(rd(PCI_REG_INT_LINE, 1), 0x0b);
}

Test(pci_cfg, command_register_writable_bits_only)
{
	wr(PCI_REG_COMMAND, 0xffff, 2);
	cr_assert_eq(rd(PCI_REG_COMMAND, 2),
		     PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER |
		     PCI_CMD_PARITY | PCI_CMD_SERR | PCI_CMD_INTX_DISABLE);
	wr(PCI_REG_COMMAND, 0, 2);
	cr_assert_eq(rd(PCI_REG_COMMAND, 2), 0);
	/* A dword write to 0x04 must not touch status' read-only bits. */
	wr(PCI_REG_COMMAND, 0xffff0002, 4);
	cr_assert_eq(rd(PCI_REG_COMMAND, 2), PCI_CMD_MEM);
	cr_assert_eq(rd(PCI_REG_STATUS, 2), 0);
}

Test(pci_cfg, status_error_bits_are_rw1c)
{
	pci_cfg__set(p, PCI_REG_STATUS, 0x8000 | 0x0100 | PCI_STS_CAP_LIST, 2);
	wr(PCI_REG_STATUS, 0, 2);
	cr_assert_eq(rd(PCI_REG_STATUS, 2), 0x8110, "writing 0 clears none");
	wr(PCI_REG_STATUS, 0x8000 | PCI_STS_CAP_LIST, 2);
	cr_assert_eq(rd(PCI_REG_STATUS, 2), 0x0110,
		     "1 clears the error bit, CAP_LIST stays");
	wr(PCI_REG_STATUS, 0xffff, 2);
	cr_assert_eq(rd(PCI_REG_STATUS, 2), PCI_STS_CAP_LIST);
}

Test(pci_cfg, bad_access_sizes_and_offsets)
{
	cr_assert_eq(rd(0, 3), 0xffffffff);
	cr_assert_eq(rd(0, 8), 0xffffffff);
	cr_assert_eq(rd(PCI_CFG_SIZE - 2, 4), 0xffffffff);
	cr_assert_eq(rd(PCI_CFG_SIZE - 4, 4), 0);
	wr(PCI_CFG_SIZE - 2, 0xffffffff, 4);	/* ignored, no overflow */
	wr(PCI_REG_COMMAND, 0xffffff, 3);
	cr_assert_eq(rd(PCI_REG_COMMAND, 2), 0);
}

Test(pci_cfg, bar_sizing_mem32)
{
	cr_assert_eq(pci_dev__set_bar(p, 0, PCI_BAR_MEM32, 0x4000, false), 0);
	cr_assert_eq(rd(PCI_REG_BAR0, 4), 0);
	wr(PCI_REG_BAR0, 0xffffffff, 4);
	cr_assert_eq(rd(PCI_REG_BAR0, 4), 0xffffc000);
	wr(PCI_REG_BAR0, 0xc0004567, 4);
	cr_assert_eq(rd(PCI_REG_BAR0, 4), 0xc0004000);
	cr_assert_eq(pci_dev__bar_addr(p, 0), 0xc0004000);
}

Test(pci_cfg, bar_sizing_prefetchable_keeps_type_bits)
{
	cr_assert_eq(pci_dev__set_bar(p, 1, PCI_BAR_MEM32, 16, true), 0);
	wr(PCI_REG_BAR0 + 4, 0xffffffff, 4);
	cr_assert_eq(rd(PCI_REG_BAR0 + 4, 4), 0xfffffff8);
	wr(PCI_REG_BAR0 + 4, 0, 4);
	cr_assert_eq(rd(PCI_REG_BAR0 + 4, 4), PCI_BAR_PREFETCH);
}

Test(pci_cfg, bar_sizing_64bit_pair)
{
	cr_assert_eq(pci_dev__set_bar(p, 2, PCI_BAR_MEM64, 0x100000, true), 0);
	cr_assert_eq(p->bar[3].type, PCI_BAR_MEM64_HI);
	cr_assert_eq(rd(PCI_REG_BAR0 + 8, 4), PCI_BAR_MEM_64 | PCI_BAR_PREFETCH);
	wr(PCI_REG_BAR0 + 8, 0xffffffff, 4);
	wr(PCI_REG_BAR0 + 12, 0xffffffff, 4);
	cr_assert_eq(rd(PCI_REG_BAR0 + 8, 4), 0xfff0000c);
	cr_assert_eq(rd(PCI_REG_BAR0 + 12, 4), 0xffffffff);
	wr(PCI_REG_BAR0 + 8, 0x34500000, 4);
	wr(PCI_REG_BAR0 + 12, 0x12, 4);
	cr_assert_eq(pci_dev__bar_addr(p, 2), 0x1234500000ULL);
	/* the upper half is not a BAR of its own */
	cr_assert_eq(pci_dev__bar_addr(p, 3), 0);
	cr_assert_eq(pci_dev__set_bar(p, 3, PCI_BAR_MEM32, 16, false), -EINVAL);
}

Test(pci_cfg, bar_sizing_64bit_above_4g)
{
	cr_assert_eq(pci_dev__set_bar(p, 0, PCI_BAR_MEM64, 8ULL << 30, false),
		     0);
	wr(PCI_REG_BAR0, 0xffffffff, 4);
	wr(PCI_REG_BAR0 + 4, 0xffffffff, 4);
	cr_assert_eq(rd(PCI_REG_BAR0, 4), PCI_BAR_MEM_64);
	cr_assert_eq(rd(PCI_REG_BAR0 + 4, 4), 0xfffffffe);
}

Test(pci_cfg, bar_sizing_io)
{
	cr_assert_eq(pci_dev__set_bar(p, 4, PCI_BAR_IO, 32, false), 0);
	cr_assert_eq(rd(PCI_REG_BAR0 + 16, 4), PCI_BAR_IO_FLAG);
	wr(PCI_REG_BAR0 + 16, 0xffffffff, 4);
	cr_assert_eq(rd(PCI_REG_BAR0 + 16, 4), 0xffffffe1);
	wr(PCI_REG_BAR0 + 16, 0xc040, 4);
	cr_assert_eq(pci_dev__bar_addr(p, 4), 0xc040);
}

Test(pci_cfg, unimplemented_bar_and_rom_read_zero)
{
	wr(PCI_REG_BAR0 + 20, 0xffffffff, 4);
	cr_assert_eq(rd(PCI_REG_BAR0 + 20, 4), 0);
	wr(PCI_REG_ROM, 0xffffffff, 4);
	cr_assert_eq(rd(PCI_REG_ROM, 4), 0);
}

Test(pci_cfg, bad_bar_requests)
{
	cr_assert_eq(pci_dev__set_bar(p, 0, PCI_BAR_MEM32, 0x3000, false),
		     -EINVAL);
	cr_assert_eq(pci_dev__set_bar(p, 0, PCI_BAR_MEM32, 8, false), -EINVAL);
	cr_assert_eq(pci_dev__set_bar(p, 0, PCI_BAR_IO, 512, false), -EINVAL);
	cr_assert_eq(pci_dev__set_bar(p, 0, PCI_BAR_IO, 16, true), -EINVAL);
	cr_assert_eq(pci_dev__set_bar(p, 5, PCI_BAR_MEM64, 16, false), -EINVAL);
	cr_assert_eq(pci_dev__set_bar(p, 6, PCI_BAR_MEM32, 16, false), -EINVAL);
	cr_assert_eq(pci_dev__set_bar(p, -1, PCI_BAR_MEM32, 16, false),
		     -EINVAL);
	cr_assert_eq(pci_dev__set_bar(p, 0, PCI_BAR_MEM32, 16, false), 0);
	cr_assert_eq(pci_dev__set_bar(p, 0, PCI_BAR_MEM32, 16, false), -EINVAL,
		     "declared twice");
	cr_assert_eq(pci_dev__set_bar(p, 4, PCI_BAR_MEM32, 16, false), 0);
	cr_assert_eq(pci_dev__set_bar(p, 3, PCI_BAR_MEM64, 16, false), -EINVAL,
		     "upper half already taken");
}

Test(pci_cfg, command_register_gates_decoding)
{
	u64 a = 0;

	cr_assert_eq(pci_dev__set_bar(p, 0, PCI_BAR_MEM32, 0x1000, false), 0);
	cr_assert_eq(pci_dev__set_bar(p, 1, PCI_BAR_IO, 16, false), 0);
	cr_assert_eq(pci_dev__set_bar(p, 2, PCI_BAR_MEM64, 0x4000, false), 0);
	pci_dev__set_bar_addr(p, 0, 0xc0001000);
	pci_dev__set_bar_addr(p, 1, 0xc010);
	pci_dev__set_bar_addr(p, 2, 0xc0004000);

	for (int i = 0; i < PCI_NR_BARS; i++)
		cr_assert_not(pci_dev__bar_decodes(p, i, &a));

	wr(PCI_REG_COMMAND, PCI_CMD_MEM, 2);
	cr_assert(pci_dev__bar_decodes(p, 0, &a));
	cr_assert_eq(a, 0xc0001000);
	cr_assert(pci_dev__bar_decodes(p, 2, &a));
	cr_assert_eq(a, 0xc0004000);
	cr_assert_not(pci_dev__bar_decodes(p, 1, &a), "I/O needs CMD_IO");
	cr_assert_not(pci_dev__bar_decodes(p, 3, &a));

	wr(PCI_REG_COMMAND, PCI_CMD_IO, 2);
	cr_assert_not(pci_dev__bar_decodes(p, 0, &a));
	cr_assert(pci_dev__bar_decodes(p, 1, &a));
	cr_assert_eq(a, 0xc010);

	wr(PCI_REG_COMMAND, PCI_CMD_IO | PCI_CMD_MEM, 2);
	/* unassigned, wrapping, or out-of-range addresses do not decode */
	wr(PCI_REG_BAR0, 0, 4);
	cr_assert_not(pci_dev__bar_decodes(p, 0, &a));
	wr(PCI_REG_BAR0 + 8, 0xffffffff, 4);
	wr(PCI_REG_BAR0 + 12, 0xffffffff, 4);
	cr_assert_not(pci_dev__bar_decodes(p, 2, &a),
		      "sizing pattern is beyond physical addresses");
	wr(PCI_REG_BAR0 + 8, 0xffffc000, 4);
	wr(PCI_REG_BAR0 + 12, 0x00100000, 4);
	cr_assert_not(pci_dev__bar_decodes(p, 2, &a), "at 2^52");
	wr(PCI_REG_BAR0 + 12, 0x000fffff, 4);
	cr_assert(pci_dev__bar_decodes(p, 2, &a), "ends exactly at 2^52");
	cr_assert_eq(a, 0x000fffffffffc000ULL);
	wr(PCI_REG_BAR0 + 4, 0xfff0, 4);
	cr_assert(pci_dev__bar_decodes(p, 1, &a), "ends at 64 KiB");
	wr(PCI_REG_BAR0 + 4, 0x1fff0, 4);
	cr_assert_not(pci_dev__bar_decodes(p, 1, &a), "I/O past 64 KiB");

	wr(PCI_REG_COMMAND, 0, 2);
	wr(PCI_REG_BAR0, 0xc0001000, 4);
	cr_assert_not(pci_dev__bar_decodes(p, 0, &a));
}

Test(pci_cfg, capability_list_chains)
{
	int a = pci_dev__add_cap(p, PCI_CAPID_VENDOR, 16);
	int b = pci_dev__add_cap(p, PCI_CAPID_MSIX, 12);
	int c = pci_dev__add_cap(p, PCI_CAPID_EXP, 7);
	int d = pci_dev__add_cap(p, 0x05, 4);

	cr_assert_eq(a, 0x40);
	cr_assert_eq(b, 0x50);
	cr_assert_eq(c, 0x5c);
	cr_assert_eq(d, 0x64, "7 bytes round up to 8");
	cr_assert(rd(PCI_REG_STATUS, 2) & PCI_STS_CAP_LIST);
	cr_assert_eq(rd(PCI_REG_CAP_PTR, 1), 0x40);
	cr_assert_eq(rd(a, 2), 0x5000 | PCI_CAPID_VENDOR);
	cr_assert_eq(rd(b, 2), 0x5c00 | PCI_CAPID_MSIX);
	cr_assert_eq(rd(c, 2), 0x6400 | PCI_CAPID_EXP);
	cr_assert_eq(rd(d, 2), 0x0005);

	/* headers are read-only */
	wr(b, 0xffff, 2);
	cr_assert_eq(rd(b, 2), 0x5c00 | PCI_CAPID_MSIX);

	cr_assert_eq(pci_dev__find_cap(p, PCI_CAPID_EXP), c);
	cr_assert_eq(pci_dev__find_cap(p, 0x05), d);
	cr_assert_eq(pci_dev__find_cap(p, 0x42), 0);
}

Test(pci_cfg, capability_space_runs_out)
{
	int n = 0;

	while (pci_dev__add_cap(p, 0x09, 64) > 0)
		n++;
	cr_assert_eq(n, 3, "0x40..0xff holds three 64-byte caps");
	cr_assert_eq(pci_dev__add_cap(p, 0x09, 4), -ENOSPC);
	cr_assert_eq(pci_dev__add_cap(p, 0x09, 1), -EINVAL);
}

Test(pci_cfg, find_cap_survives_a_looped_list)
{
	int a = pci_dev__add_cap(p, 0x09, 8);
	int b = pci_dev__add_cap(p, 0x09, 8);

	pci_cfg__set(p, b + 1, a, 1);	/* b -> a -> b ... */
	cr_assert_eq(pci_dev__find_cap(p, 0x11), 0);
}

Test(pci_cfg, extended_capabilities_chain)
{
	int a, b, c;

	cr_assert_eq(rd(PCI_CFG_EXT_START, 4), 0, "no extended caps yet");
	cr_assert_eq(pci_dev__find_ext_cap(p, PCI_EXTCAPID_PASID), 0);

	a = pci_dev__add_ext_cap(p, PCI_EXTCAPID_PASID, 1, 8);
	b = pci_dev__add_ext_cap(p, PCI_EXTCAPID_PRI, 1, 16);
	c = pci_dev__add_ext_cap(p, PCI_EXTCAPID_ATS, 1, 6);
	cr_assert_eq(a, 0x100);
	cr_assert_eq(b, 0x108);
	cr_assert_eq(c, 0x118);
	cr_assert_eq(rd(a, 4), 0x10810000 | PCI_EXTCAPID_PASID);
	cr_assert_eq(rd(b, 4), 0x11810000 | PCI_EXTCAPID_PRI);
	cr_assert_eq(rd(c, 4), 0x00010000 | PCI_EXTCAPID_ATS);
	cr_assert_eq(pci_dev__find_ext_cap(p, PCI_EXTCAPID_PRI), b);
	cr_assert_eq(pci_dev__find_ext_cap(p, PCI_EXTCAPID_ATS), c);
	cr_assert_eq(pci_dev__find_ext_cap(p, 0x0001), 0);

	/* read-only unless a mask says otherwise */
	wr(b, 0xffffffff, 4);
	wr(b + 4, 0xffffffff, 4);
	cr_assert_eq(rd(b, 4), 0x11810000 | PCI_EXTCAPID_PRI);
	cr_assert_eq(rd(b + 4, 4), 0);
	pci_cfg__set_wmask(p, b + 4, 0x1, 2);	/* e.g. PRI enable */
	wr(b + 4, 0xffff, 2);
	cr_assert_eq(rd(b + 4, 4), 1);

	cr_assert_eq(pci_dev__add_ext_cap(p, 1, 16, 8), -EINVAL, "version");
	cr_assert_eq(pci_dev__add_ext_cap(p, 1, 1, 0x1000), -ENOSPC);
}

Test(pci_cfg, find_ext_cap_survives_a_looped_list)
{
	int a = pci_dev__add_ext_cap(p, 0x0001, 1, 8);

	pci_dev__add_ext_cap(p, 0x0002, 1, 8);
	pci_cfg__set(p, a + 8, 0x0002 | 1 << 16 | (u32)a << 20, 4);
	cr_assert_eq(pci_dev__find_ext_cap(p, 0x0003), 0);
}

/* --- MSI-X --- */

#define MSIX_BAR_SIZE	0x8000
#define TABLE		0x4000
#define PBA		0x5000

static struct {
	int installs, raises;
	u16 vec;
	u64 addr;
	u32 data;
	int fail_install;
} rec;

static int rec_install(struct msix *mx, u16 v, u64 addr, u32 data)
{
	rec.installs++;
	rec.vec = v;
	rec.addr = addr;
	rec.data = data;
	return rec.fail_install;
}

static int rec_raise(struct msix *mx, u16 v, u64 addr, u32 data)
{
	rec.raises++;
	rec.vec = v;
	rec.addr = addr;
	rec.data = data;
	return 0;
}

static const struct msix_irq_ops rec_ops = {
	.install = rec_install,
	.raise = rec_raise,
};

static int dev_accesses;

static void dev_bar_access(struct pci_device *pdev, int bar, u64 off,
			   u8 *data, u32 len, bool is_write)
{
	dev_accesses++;
	if (!is_write)
		memset(data, 0xab, len);
}

static const struct pci_device_ops dev_ops = {
	.bar_access = dev_bar_access,
};

static int cap;

static void msix_setup(void)
{
	setup();
	memset(&rec, 0, sizeof(rec));
	dev_accesses = 0;
	p->ops = &dev_ops;
	cr_assert_eq(pci_dev__set_bar(p, 0, PCI_BAR_MEM32, MSIX_BAR_SIZE,
				      false), 0);
	cr_assert_eq(msix__setup(p, 4, 0, TABLE, PBA), 0);
	msix__set_irq_ops(p->msix, &rec_ops, NULL);
	cap = pci_dev__find_cap(p, PCI_CAPID_MSIX);
	cr_assert_neq(cap, 0);
}

TestSuite(msix, .init = msix_setup, .fini = teardown);

static u32 bar_rd(u64 off, u32 len)
{
	u64 v = 0;

	pci_dev__bar_access(p, 0, off, (u8 *)&v, len, false);
	return v;
}

static u64 bar_rd64(u64 off)
{
	u64 v = 0;

	pci_dev__bar_access(p, 0, off, (u8 *)&v, 8, false);
	return v;
}

static void bar_wr(u64 off, u64 v, u32 len)
{
	pci_dev__bar_access(p, 0, off, (u8 *)&v, len, true);
}

static void program(u16 v, u64 addr, u32 data)
{
	bar_wr(TABLE + 16 * v, (u32)addr, 4);
	bar_wr(TABLE + 16 * v + 4, addr >> 32, 4);
	bar_wr(TABLE + 16 * v + 8, data, 4);
}

static void unmask(u16 v)
{
	bar_wr(TABLE + 16 * v + 12, 0, 4);
}

static void mask(u16 v)
{
	bar_wr(TABLE + 16 * v + 12, MSIX_VEC_MASKED, 4);
}

static void msix_ctrl(u16 bits)
{
	wr(cap + 2, bits, 2);
}

Test(msix, capability_layout)
{
	cr_assert_eq(rd(cap + 2, 2), 3, "table size N-1, disabled");
	cr_assert_eq(rd(cap + 4, 4), TABLE | 0);
	cr_assert_eq(rd(cap + 8, 4), PBA | 0);
	wr(cap + 2, 0xffff, 2);
	cr_assert_eq(rd(cap + 2, 2), 3 | MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK);
	wr(cap + 4, 0, 4);
	cr_assert_eq(rd(cap + 4, 4), TABLE);
}

Test(msix, vectors_start_masked)
{
	for (u16 v = 0; v < 4; v++)
		cr_assert_eq(bar_rd(TABLE + 16 * v + 12, 4), MSIX_VEC_MASKED);
}

Test(msix, table_write_masks)
{
	bar_wr(TABLE + 16, 0xfee00003, 4);
	cr_assert_eq(bar_rd(TABLE + 16, 4), 0xfee00000, "address is aligned");
	bar_wr(TABLE + 16 + 12, 0xfffffffe, 4);
	cr_assert_eq(bar_rd(TABLE + 16 + 12, 4), 0, "reserved bits read 0");
	/* qword access */
	bar_wr(TABLE + 32, 0x00000001fee01000ULL, 8);
	cr_assert_eq(bar_rd64(TABLE + 32), 0x00000001fee01000ULL);
}

Test(msix, disabled_drops)
{
	program(0, 0xfee00000, 0x41);
	unmask(0);
	cr_assert_eq(msix__notify(p, 0), -EAGAIN);
	cr_assert_eq(rec.raises, 0);
	cr_assert_not(msix__pending(p->msix, 0));
	cr_assert_eq(p->msix->stats.dropped, 1);
	cr_assert_eq(msix__notify(p, 4), -EINVAL, "vector out of range");
}

Test(msix, unmasked_vector_delivers_at_once)
{
	program(2, 0xfee01000, 0x4062);
	unmask(2);
	cr_assert_eq(rec.installs, 0, "not installed while disabled");
	msix_ctrl(MSIX_CTRL_ENABLE);
	cr_assert_eq(rec.installs, 1, "installed on enable");
	cr_assert_eq(rec.vec, 2);
	cr_assert_eq(rec.addr, 0xfee01000);
	cr_assert_eq(rec.data, 0x4062);
	cr_assert_eq(msix__notify(p, 2), 0);
	cr_assert_eq(rec.raises, 1);
	cr_assert_eq(rec.vec, 2);
	cr_assert_eq(rec.data, 0x4062);
	cr_assert_eq(bar_rd64(PBA), 0);
}

Test(msix, masked_vector_pends_then_delivers_on_unmask)
{
	program(1, 0xfee00000, 0x51);
	msix_ctrl(MSIX_CTRL_ENABLE);
	cr_assert_eq(rec.installs, 0, "masked: nothing installed");
	cr_assert_eq(msix__notify(p, 1), 0);
	cr_assert_eq(rec.raises, 0);
	cr_assert(msix__pending(p->msix, 1));
	cr_assert_eq(bar_rd(PBA, 4), 1 << 1, "PBA bit visible to the guest");
	bar_wr(PBA, 0, 8);
	cr_assert_eq(bar_rd(PBA, 4), 1 << 1, "PBA is read-only");
	cr_assert_eq(dev_accesses, 0, "PBA writes stay in MSI-X");

	unmask(1);
	cr_assert_eq(rec.installs, 1);
	cr_assert_eq(rec.raises, 1);
	cr_assert_eq(rec.vec, 1);
	cr_assert_eq(rec.data, 0x51);
	cr_assert_eq(bar_rd(PBA, 4), 0);
	cr_assert_eq(p->msix->stats.replayed, 1);

	/* masking again: pends again, only once per unmask */
	mask(1);
	msix__notify(p, 1);
	msix__notify(p, 1);
	cr_assert_eq(rec.raises, 1);
	unmask(1);
	cr_assert_eq(rec.raises, 2);
}

Test(msix, function_mask)
{
	program(0, 0xfee00000, 0x30);
	unmask(0);
	msix_ctrl(MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK);
	cr_assert_eq(msix__notify(p, 0), 0);
	cr_assert_eq(rec.raises, 0);
	cr_assert(msix__pending(p->msix, 0));
	msix_ctrl(MSIX_CTRL_ENABLE);
	cr_assert_eq(rec.raises, 1);
	cr_assert_not(msix__pending(p->msix, 0));
	cr_assert_eq(msix__notify(p, 0), 0);
	cr_assert_eq(rec.raises, 2);
}

Test(msix, message_change_reinstalls)
{
	program(3, 0xfee00000, 0x20);
	unmask(3);
	msix_ctrl(MSIX_CTRL_ENABLE);
	cr_assert_eq(rec.installs, 1);
	bar_wr(TABLE + 16 * 3 + 8, 0x21, 4);
	cr_assert_eq(rec.installs, 2);
	cr_assert_eq(rec.data, 0x21);
	/* writing the same value again is not a change */
	bar_wr(TABLE + 16 * 3 + 8, 0x21, 4);
	cr_assert_eq(rec.installs, 2);
	msix__notify(p, 3);
	cr_assert_eq(rec.data, 0x21);
}

Test(msix, install_failure_is_counted)
{
	rec.fail_install = -ENOSPC;
	unmask(0);
	msix_ctrl(MSIX_CTRL_ENABLE);
	cr_assert_eq(p->msix->stats.errors, 1);
}

Test(msix, other_bar_offsets_reach_the_device)
{
	cr_assert_eq(bar_rd(0x100, 4), 0xabababab);
	cr_assert_eq(dev_accesses, 1);
	bar_rd(TABLE, 4);
	bar_rd(PBA, 4);
	cr_assert_eq(dev_accesses, 1);
	bar_rd(TABLE + 4 * 16, 4);	/* just past the table */
	cr_assert_eq(dev_accesses, 2);
}

Test(msix, bad_setups)
{
	struct pci_device *q = calloc(1, sizeof(*q));

	pci_dev__init(q, 1, 2, 0, 0);
	cr_assert_eq(msix__setup(q, 4, 0, 0, 0x1000), -EINVAL, "no BAR");
	pci_dev__set_bar(q, 0, PCI_BAR_MEM32, 0x1000, false);
	cr_assert_eq(msix__setup(q, 4, 0, 0x4, 0x800), -EINVAL, "misaligned");
	cr_assert_eq(msix__setup(q, 4, 0, 0, 0x20), -EINVAL, "overlap");
	cr_assert_eq(msix__setup(q, 4, 0, 0xff8, 0x800), -EINVAL, "too big");
	cr_assert_eq(msix__setup(q, 0, 0, 0, 0x800), -EINVAL);
	cr_assert_eq(msix__setup(q, 4, 0, 0, 0x800), 0);
	cr_assert_eq(msix__setup(q, 4, 0, 0, 0x800), -EINVAL, "twice");
	msix__free(q);
	free(q);
}

/* --- the bus on a vm (real io_tables, no KVM) --- */

static struct vm *vm;
static struct pci_device *d1, *d2, *many;
static u64 last_off;
static int bus_accesses;

static void bus_bar_access(struct pci_device *pdev, int bar, u64 off,
			   u8 *data, u32 len, bool is_write)
{
	bus_accesses++;
	last_off = off;
	if (!is_write)
		memset(data, 0x5a, len);
}

static const struct pci_device_ops bus_dev_ops = {
	.bar_access = bus_bar_access,
};

static void bus_setup(void)
{
	vm = calloc(1, sizeof(*vm));
	vm->pio = io_table__new("pio");
	vm->mmio = io_table__new("mmio");
	cr_assert_eq(pci__init(vm), 0);

	d1 = calloc(1, sizeof(*d1));
	pci_dev__init(d1, 0x1af4, 0x1044, 0xff0000, 1);
	d1->name = "d1";
	d1->ops = &bus_dev_ops;
	pci_dev__set_bar(d1, 0, PCI_BAR_MEM32, 0x1000, false);
	pci_dev__set_bar(d1, 2, PCI_BAR_MEM64, 0x100000, true);
	pci_dev__set_bar(d1, 4, PCI_BAR_IO, 32, false);

	d2 = calloc(1, sizeof(*d2));
	pci_dev__init(d2, 0x1af4, 0x1042, 0x010000, 1);
	d2->name = "d2";
	d2->ops = &bus_dev_ops;
	pci_dev__set_bar(d2, 0, PCI_BAR_MEM32, 0x4000, false);

	cr_assert_eq(pci__register(vm, d1), 0);
	cr_assert_eq(pci__register(vm, d2), 0);
	bus_accesses = 0;
}

static void bus_teardown(void)
{
	pci__exit(vm);
	io_table__free(vm->pio);
	io_table__free(vm->mmio);
	free(vm);
	free(d1);
	free(d2);
	free(many);
	many = NULL;
}

TestSuite(pci_bus, .init = bus_setup, .fini = bus_teardown);

static void outl(u16 port, u32 v)
{
	io_table__dispatch(vm->pio, NULL, port, (u8 *)&v, 4, true);
}

static void outx(u16 port, u32 v, u32 len)
{
	io_table__dispatch(vm->pio, NULL, port, (u8 *)&v, len, true);
}

static u32 inx(u16 port, u32 len)
{
	u32 v = 0;

	io_table__dispatch(vm->pio, NULL, port, (u8 *)&v, len, false);
	return v;
}

static u32 cfg_addr(int dev, int fn, int reg)
{
	return 0x80000000U | dev << 11 | fn << 8 | reg;
}

static u32 cfg_rd(int dev, int reg, u32 len)
{
	outl(0xcf8, cfg_addr(dev, 0, reg & ~3));
	return inx(0xcfc + (reg & 3), len);
}

static void cfg_wr(int dev, int reg, u32 v, u32 len)
{
	outl(0xcf8, cfg_addr(dev, 0, reg & ~3));
	outx(0xcfc + (reg & 3), v, len);
}

static bool mmio(u64 addr, u32 *v)
{
	return io_table__dispatch(vm->mmio, NULL, addr, (u8 *)v, 4, false);
}

Test(pci_bus, host_bridge_and_slots)
{
	cr_assert_eq(cfg_rd(0, 0, 4), PCI_HOST_DEVICE << 16 | PCI_HOST_VENDOR);
	cr_assert_eq(cfg_rd(0, PCI_REG_REVISION, 4) >> 8, PCI_HOST_CLASS);
	cr_assert_eq(cfg_rd(1, 0, 4), 0x10441af4);
	cr_assert_eq(cfg_rd(2, 0, 4), 0x10421af4);
	cr_assert_eq(cfg_rd(3, 0, 4), 0xffffffff, "empty slot");
	cr_assert_eq(d1->dev, 1);
	cr_assert_eq(d2->dev, 2);
	cr_assert_eq(pci__devfn(d2), 0x10);
}

Test(pci_bus, config_address_decoding)
{
	outl(0xcf8, 0x12345678);
	cr_assert_eq(inx(0xcf8, 4), 0x12345678, "address register reads back");
	outl(0xcf8, cfg_addr(1, 0, 0) & ~0x80000000U);
	cr_assert_eq(inx(0xcfc, 4), 0xffffffff, "enable bit clear");
	outl(0xcf8, cfg_addr(1, 1, 0));
	cr_assert_eq(inx(0xcfc, 4), 0xffffffff, "function 1");
	outl(0xcf8, cfg_addr(1, 0, 0) | 1 << 16);
	cr_assert_eq(inx(0xcfc, 4), 0xffffffff, "bus 1");
	/* byte and word accesses inside the data window */
	outl(0xcf8, cfg_addr(1, 0, 0));
	cr_assert_eq(inx(0xcfe, 2), 0x1044);
	cr_assert_eq(inx(0xcfd, 1), 0x1a);
	cr_assert_eq(inx(0xcff, 1), 0x10);
	/* 0xCF9 is not ours (reset control lives there) */
	cr_assert_not(io_table__dispatch(vm->pio, NULL, 0xcf9, (u8[4]){ 0 },
					 1, true));
}

Test(pci_bus, iteration)
{
	struct pci_device *x = pci__next(vm, NULL);

	cr_assert_eq(pci_cfg__get(x, 0, 2), PCI_HOST_VENDOR);
	cr_assert_eq(x->dev, 0);
	cr_assert_eq(pci__next(vm, x), d1);
	cr_assert_eq(pci__next(vm, d1), d2);
	cr_assert_null(pci__next(vm, d2));
}

Test(pci_bus, bars_assigned_in_window_naturally_aligned)
{
	struct pci_bar *bars[] = { &d1->bar[0], &d1->bar[2], &d2->bar[0] };
	u64 a[3];

	for (int i = 0; i < 3; i++) {
		a[i] = pci_dev__bar_addr(bars[i]->pdev, bars[i]->idx);
		cr_assert_geq(a[i], PCI_MMIO_WINDOW_START);
		cr_assert_leq(a[i] + bars[i]->size, PCI_MMIO_WINDOW_END);
		cr_assert(IS_ALIGNED(a[i], bars[i]->size));
		cr_assert(IS_ALIGNED(a[i], SZ_4K));
		for (int j = 0; j < i; j++)
			cr_assert(a[i] >= a[j] + bars[j]->size ||
				  a[j] >= a[i] + bars[i]->size, "overlap");
	}
	cr_assert_eq(cfg_rd(1, PCI_REG_BAR0 + 12, 4), 0, "64-bit BAR below 4G");
	a[0] = pci_dev__bar_addr(d1, 4);
	cr_assert_geq(a[0], PCI_IO_WINDOW_START);
	cr_assert(IS_ALIGNED(a[0], 32));
	cr_assert_eq(cfg_rd(1, PCI_REG_COMMAND, 2), 0, "decoding starts off");
}

Test(pci_bus, bar_regions_follow_command_and_moves)
{
	u64 base = pci_dev__bar_addr(d1, 0);
	u32 v = 0;

	cr_assert_not(mmio(base, &v), "not decoding before CMD_MEM");
	cfg_wr(1, PCI_REG_COMMAND, PCI_CMD_MEM, 2);
	cr_assert(mmio(base + 0x10, &v));
	cr_assert_eq(v, 0x5a5a5a5a);
	cr_assert_eq(last_off, 0x10);
	cr_assert(d1->bar[0].live);

	/* The guest moves the BAR: old address dead, new one live. */
	cfg_wr(1, PCI_REG_BAR0, 0xd0000000, 4);
	cr_assert_not(mmio(base + 0x10, &v));
	cr_assert(mmio(0xd0000020, &v));
	cr_assert_eq(last_off, 0x20);

	/* Sizing with decode on parks the BAR at the size mask, then back. */
	cfg_wr(1, PCI_REG_BAR0, 0xffffffff, 4);
	cr_assert_eq(cfg_rd(1, PCI_REG_BAR0, 4), 0xfffff000);
	cfg_wr(1, PCI_REG_BAR0, 0xd0000000, 4);
	cr_assert(mmio(0xd0000000, &v));

	/* Decode off: gone; on again: back at the same place. */
	cfg_wr(1, PCI_REG_COMMAND, 0, 2);
	cr_assert_not(mmio(0xd0000000, &v));
	cr_assert_not(d1->bar[0].live);
	cfg_wr(1, PCI_REG_COMMAND, PCI_CMD_MEM, 2);
	cr_assert(mmio(0xd0000000, &v));
}

Test(pci_bus, bar_conflict_leaves_bar_dark)
{
	u64 b2 = pci_dev__bar_addr(d2, 0);
	u32 v = 0;

	cfg_wr(1, PCI_REG_COMMAND, PCI_CMD_MEM, 2);
	cfg_wr(2, PCI_REG_COMMAND, PCI_CMD_MEM, 2);
	/* d1's BAR0 onto d2's BAR0: refused by the table, d2 keeps it. */
	cfg_wr(1, PCI_REG_BAR0, (u32)b2, 4);
	cr_assert_not(d1->bar[0].live);
	bus_accesses = 0;
	cr_assert(mmio(b2, &v));
	cr_assert_eq(bus_accesses, 1);
	/* Moving d2 away frees the spot; d1 comes alive on its next write. */
	cfg_wr(2, PCI_REG_BAR0, 0xd8000000, 4);
	cfg_wr(1, PCI_REG_COMMAND, PCI_CMD_MEM, 2);
	cr_assert(d1->bar[0].live);
}

Test(pci_bus, io_bar_follows_cmd_io)
{
	u16 port = pci_dev__bar_addr(d1, 4);

	cr_assert_eq(inx(port + 4, 4), 0xffffffff, "unclaimed port");
	cr_assert_eq(bus_accesses, 0);
	cfg_wr(1, PCI_REG_COMMAND, PCI_CMD_IO, 2);
	cr_assert_eq(inx(port + 4, 4), 0x5a5a5a5a);
	cr_assert_eq(last_off, 4);
	cfg_wr(1, PCI_REG_BAR0 + 16, 0xe000, 4);
	cr_assert_eq(inx(0xe008, 2), 0x5a5a);
	cr_assert_eq(last_off, 8);
	cfg_wr(1, PCI_REG_COMMAND, 0, 2);
	bus_accesses = 0;
	inx(0xe008, 2);
	cr_assert_eq(bus_accesses, 0);
}

Test(pci_bus, slots_run_out)
{
	int ok = 0;

	many = calloc(PCI_MAX_DEVICES, sizeof(*many));

	for (int i = 0; i < PCI_MAX_DEVICES; i++) {
		pci_dev__init(&many[i], 1, 2, 0, 0);
		if (!pci__register(vm, &many[i]))
			ok++;
	}
	cr_assert_eq(ok, PCI_MAX_DEVICES - 3, "host bridge, d1, d2 taken");
}
