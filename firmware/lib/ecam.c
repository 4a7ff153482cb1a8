// SPDX-License-Identifier: GPL-2.0
/* ECAM configuration access on bus 0: see ecam.h. */
#include <errno.h>
#include <libfdt.h>

#include "dt.h"
#include "ecam.h"
#include "mmio.h"
#include "pages.h"
#include "pci.h"

/* A header is 4 bytes; at most this many fit in the extended space. */
#define MAX_EXT_CAPS	((ECAM_CFG_SIZE - PCI_EXT_CAP_START) / 4)

static u64 ecam_base;

int ecam__init(const void *fdt)
{
	const fdt32_t *p;
	int pci = dt__pci_node(fdt), len;
	u64 base;

	if (pci < 0)
		return -ENOENT;
	p = fdt_getprop(fdt, pci, "vsva,ecam", &len);
	if (!p)
		return -ENOENT;
	if (len != 2 * sizeof(*p))
		return -EINVAL;
	base = (u64)fdt32_to_cpu(p[0]) << 32 | fdt32_to_cpu(p[1]);
	if (!IS_ALIGNED(base, ECAM_BUS0_SIZE) ||
	    base + ECAM_BUS0_SIZE > FW_MAPPED_LIMIT)
		return -EINVAL;
	ecam_base = base;
	return 0;
}

bool ecam__ready(void)
{
	return ecam_base != 0;
}

/* The address of (bdf, reg) for an access of len bytes, or NULL. */
static void *cfg_ptr(u16 bdf, u16 reg, u16 len)
{
	if (!ecam_base || PCI_BUS(bdf) || reg >= ECAM_CFG_SIZE ||
	    (reg & (len - 1)))
		return NULL;
	return mmio__ptr(ecam_base + ((u64)PCI_DEV(bdf) << 15 |
				      (u64)PCI_FN(bdf) << 12 | reg));
}

u16 ecam__read16(u16 bdf, u16 reg)
{
	void *p = cfg_ptr(bdf, reg, 2);

	return p ? readw(p) : 0xffff;
}

u32 ecam__read32(u16 bdf, u16 reg)
{
	void *p = cfg_ptr(bdf, reg, 4);

	return p ? readl(p) : 0xffffffff;
}

void ecam__write16(u16 bdf, u16 reg, u16 v)
{
	void *p = cfg_ptr(bdf, reg, 2);

	if (p)
		writew(p, v);
}

void ecam__write32(u16 bdf, u16 reg, u32 v)
{
	void *p = cfg_ptr(bdf, reg, 4);

	if (p)
		writel(p, v);
}

u16 ecam__find_ext_cap(u16 bdf, u16 id)
{
	u16 pos = PCI_EXT_CAP_START;

	for (unsigned int i = 0; i < MAX_EXT_CAPS; i++) {
		u32 h = ecam__read32(bdf, pos);

		/* No capabilities at all reads 0; an absent function ~0. */
		if (!h || h == 0xffffffff)
			return 0;
		if ((h & 0xffff) == id)
			return pos;
		pos = (h >> 20) & 0xffc;
		if (pos < PCI_EXT_CAP_START)
			return 0;
	}
	return 0;
}
