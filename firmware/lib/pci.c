// SPDX-License-Identifier: GPL-2.0
/* PCI configuration mechanism #1. */
#include <errno.h>

#include "cpu.h"
#include "pci.h"

#define CFG_ENABLE	0x80000000u
#define MAX_CAPS	48

static u16 cfg_port = PCI_DEFAULT_PORT;

void pci__init(u16 port)
{
	cfg_port = port;
}

static void select(u16 bdf, u16 off)
{
	outl(cfg_port, CFG_ENABLE | (u32)bdf << 8 | (off & 0xfc));
}

u8 pci__read8(u16 bdf, u16 off)
{
	select(bdf, off);
	return inb(cfg_port + 4 + (off & 3));
}

u16 pci__read16(u16 bdf, u16 off)
{
	select(bdf, off);
	return inw(cfg_port + 4 + (off & 2));
}

u32 pci__read32(u16 bdf, u16 off)
{
	select(bdf, off);
	return inl(cfg_port + 4);
}

void pci__write8(u16 bdf, u16 off, u8 v)
{
	select(bdf, off);
	outb(cfg_port + 4 + (off & 3), v);
}

void pci__write16(u16 bdf, u16 off, u16 v)
{
	select(bdf, off);
	outw(cfg_port + 4 + (off & 2), v);
}

void pci__write32(u16 bdf, u16 off, u32 v)
{
	select(bdf, off);
	outl(cfg_port + 4, v);
}

bool pci__present(u16 bdf)
{
	u16 vendor = pci__read16(bdf, PCI_VENDOR_ID);

	return vendor != 0xffff && vendor != 0;
}

u8 pci__find_cap(u16 bdf, u8 cap_id, u8 from)
{
	u8 pos;

	if (from) {
		pos = pci__read8(bdf, from + 1);
	} else {
		if (!(pci__read16(bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST))
			return 0;
		pos = pci__read8(bdf, PCI_CAP_PTR);
	}
	for (int i = 0; i < MAX_CAPS && pos >= 0x40; i++) {
		pos &= ~3;
		if (pci__read8(bdf, pos) == cap_id)
			return pos;
		pos = pci__read8(bdf, pos + 1);
	}
	return 0;
}

/* Writes all-ones to find the size mask; restores the value. */
static u32 probe(u16 bdf, u16 off, u32 *orig)
{
	u32 mask;

	*orig = pci__read32(bdf, off);
	pci__write32(bdf, off, ~0u);
	mask = pci__read32(bdf, off);
	pci__write32(bdf, off, *orig);
	return mask;
}

static bool is_64bit_mem(u32 bar)
{
	return !(bar & 1) && (bar & 6) == 4;
}

/* True if BAR n holds the upper 32 bits of a 64-bit BAR before it. */
static bool is_upper_half(u16 bdf, int n)
{
	int i = 0;

	while (i < n)
		i += is_64bit_mem(pci__read32(bdf, PCI_BAR0 + 4 * i)) ? 2 : 1;
	return i != n;
}

int pci__bar(u16 bdf, int n, struct pci_bar *bar)
{
	u16 off = PCI_BAR0 + 4 * n, cmd;
	u32 lo, lo_mask, hi = 0, hi_mask = 0;
	u64 mask, fill;

	if (n < 0 || n >= PCI_NUM_BARS)
		return -EINVAL;
	if (is_upper_half(bdf, n))
		return -EINVAL;
	cmd = pci__read16(bdf, PCI_COMMAND);
	pci__write16(bdf, PCI_COMMAND,
		     cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	lo_mask = probe(bdf, off, &lo);
	*bar = (struct pci_bar){ .io = lo & 1 };
	if (is_64bit_mem(lo)) {
		if (n == PCI_NUM_BARS - 1) {
			pci__write16(bdf, PCI_COMMAND, cmd);
			return -EINVAL;
		}
		bar->is64 = true;
		hi_mask = probe(bdf, off + 4, &hi);
	}
	pci__write16(bdf, PCI_COMMAND, cmd);

	if (bar->io) {
		bar->addr = lo & ~3u;
		mask = lo_mask & ~3u;
		fill = 0xffffffffffff0000ULL;	/* 16-bit decoders */
	} else {
		bar->addr = (u64)hi << 32 | (lo & ~0xfu);
		mask = (u64)(bar->is64 ? hi_mask : 0) << 32 | (lo_mask & ~0xfu);
		fill = bar->is64 ? 0 : 0xffffffff00000000ULL;
	}
	bar->size = mask ? ~(mask | fill) + 1 : 0;
	return 0;
}

int pci__scan(u16 vendor, u16 device, u16 *bdf)
{
	for (int dev = 0; dev < 32; dev++) {
		for (int fn = 0; fn < 8; fn++) {
			u16 b = PCI_BDF(0, dev, fn);

			if (!pci__present(b)) {
				if (fn == 0)
					break;
				continue;
			}
			if (pci__read16(b, PCI_VENDOR_ID) == vendor &&
			    pci__read16(b, PCI_DEVICE_ID) == device) {
				*bdf = b;
				return 0;
			}
			if (fn == 0 &&
			    !(pci__read8(b, PCI_HEADER_TYPE) & 0x80))
				break;
		}
	}
	return -ENODEV;
}
