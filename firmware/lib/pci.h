/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration access through mechanism #1 (0xCF8/0xCFC), capability
 * lists and BARs.
 */
#ifndef FW_PCI_H
#define FW_PCI_H

#include <vsva/types.h>

#define PCI_DEFAULT_PORT	0xcf8

#define PCI_BDF(bus, dev, fn)	((u16)((bus) << 8 | (dev) << 3 | (fn)))
#define PCI_BUS(bdf)		((bdf) >> 8)
#define PCI_DEV(bdf)		(((bdf) >> 3) & 0x1f)
#define PCI_FN(bdf)		((bdf) & 7)

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_CLASS_REVISION	0x08
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_CAP_PTR		0x34

#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_STATUS_CAP_LIST	0x0010

#define PCI_CAP_ID_VNDR		0x09
#define PCI_CAP_ID_MSIX		0x11

#define PCI_NUM_BARS		6

struct pci_bar {
	u64 addr;
	u64 size;		/* 0: BAR not implemented */
	bool io;
	bool is64;
};

/* Uses the config address port `port` (data at port + 4). */
void pci__init(u16 port);

u8 pci__read8(u16 bdf, u16 off);
u16 pci__read16(u16 bdf, u16 off);
u32 pci__read32(u16 bdf, u16 off);
void pci__write8(u16 bdf, u16 off, u8 v);
void pci__write16(u16 bdf, u16 off, u16 v);
void pci__write32(u16 bdf, u16 off, u32 v);

/* True if a function answers at bdf. */
bool pci__present(u16 bdf);

/*
 * Capability list walk: the first capability with cap_id after offset
 * `from` (0: from the start); returns its offset or 0. Bounded, so a looping
 * list ends.
 */
u8 pci__find_cap(u16 bdf, u8 cap_id, u8 from);

/* Reads (and sizes, with decoding briefly off) BAR n; -EINVAL if n is the
 * upper half of a 64-bit BAR or out of range. */
int pci__bar(u16 bdf, int n, struct pci_bar *bar);

/* First function with this vendor/device on bus 0, by config scan. */
int pci__scan(u16 vendor, u16 device, u16 *bdf);

#endif
