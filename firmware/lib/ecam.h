/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCIe enhanced configuration access (ECAM) for bus 0: the device tree's
 * /pci node gives the window's base in `vsva,ecam` = <hi lo> (1 MiB, one
 * 4 KiB page per function: base + (dev << 15 | fn << 12 | reg)). Unlike
 * mechanism #1 it reaches the extended configuration space (offsets
 * 0x100-0xfff), where the PASID, PRI and ATS capabilities live.
 */
#ifndef FW_ECAM_H
#define FW_ECAM_H

#include <vsva/types.h>

#define ECAM_BUS0_SIZE		(1ULL << 20)
#define ECAM_CFG_SIZE		0x1000

#define PCI_EXT_CAP_START	0x100
#define PCI_EXT_CAP_ID_ATS	0x0f
#define PCI_EXT_CAP_ID_PRI	0x13
#define PCI_EXT_CAP_ID_PASID	0x1b

/* Reads the window from the tree; 0, -ENOENT (no /pci or no property) or
 * -EINVAL (malformed, or outside the identity-mapped 4 GiB). */
int ecam__init(const void *fdt);
bool ecam__ready(void);

/* reg must be aligned to the access size and below 4 KiB; other accesses
 * read all-ones and write nothing. */
u16 ecam__read16(u16 bdf, u16 reg);
u32 ecam__read32(u16 bdf, u16 reg);
void ecam__write16(u16 bdf, u16 reg, u16 v);
void ecam__write32(u16 bdf, u16 reg, u32 v);

/*
 * Extended capability walk from 0x100: the offset of the first capability
 * with this ID, or 0. Bounded, so a looping or malformed list ends.
 */
u16 ecam__find_ext_cap(u16 bdf, u16 id);

#endif
