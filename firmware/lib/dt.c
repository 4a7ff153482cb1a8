// SPDX-License-Identifier: GPL-2.0
/* Device-tree reading with libfdt; every length is checked. */
#include <errno.h>
#include <libfdt.h>
#include <string.h>

#include "dt.h"

int dt__prop_u32(const void *fdt, int node, const char *name, u32 *val)
{
	const fdt32_t *p;
	int len;

	p = fdt_getprop(fdt, node, name, &len);
	if (!p)
		return -ENOENT;
	if (len != sizeof(*p))
		return -EINVAL;
	*val = fdt32_to_cpu(*p);
	return 0;
}

u32 dt__prop_u32_or(const void *fdt, int node, const char *name, u32 def)
{
	u32 v;

	return dt__prop_u32(fdt, node, name, &v) ? def : v;
}

int dt__stdout_node(const void *fdt)
{
	const char *path;
	int chosen, len, n;

	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0)
		return chosen;
	path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!path || len < 1)
		return -FDT_ERR_NOTFOUND;
	/* "path:options" or just "path"; len counts the NUL. */
	for (n = 0; n < len && path[n] && path[n] != ':'; n++)
		;
	return fdt_path_offset_namelen(fdt, path, n);
}

static bool node_is(const void *fdt, int node, const char *type)
{
	const char *t;
	int len;

	t = fdt_getprop(fdt, node, "device_type", &len);
	return t && len > 0 && strnlen(t, len) < (size_t)len &&
	       !strcmp(t, type);
}

static u64 read_cells(const fdt32_t *p, int cells)
{
	u64 v = 0;

	while (cells--)
		v = v << 32 | fdt32_to_cpu(*p++);
	return v;
}

int dt__memory(const void *fdt, struct dt_region *regions, int max)
{
	/* The root's cells (the ABI's are 2 and 2; these are the defaults). */
	int ac = dt__prop_u32_or(fdt, 0, "#address-cells", 2);
	int sc = dt__prop_u32_or(fdt, 0, "#size-cells", 1);
	int node, len, n = 0;

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return -EINVAL;
	fdt_for_each_subnode(node, fdt, 0) {
		const fdt32_t *reg;
		int entries;

		if (!node_is(fdt, node, "memory"))
			continue;
		reg = fdt_getprop(fdt, node, "reg", &len);
		if (!reg || len < 0 || len % ((ac + sc) * 4))
			return -EINVAL;
		entries = len / ((ac + sc) * 4);
		for (int i = 0; i < entries && n < max; i++) {
			regions[n].base = read_cells(reg, ac);
			regions[n].size = read_cells(reg + ac, sc);
			reg += ac + sc;
			if (regions[n].size)
				n++;
		}
	}
	return n;
}

int dt__cpu_count(const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node, n = 0;

	if (cpus < 0)
		return 0;
	fdt_for_each_subnode(node, fdt, cpus)
		if (node_is(fdt, node, "cpu"))
			n++;
	return n;
}

int dt__pci_node(const void *fdt)
{
	return fdt_path_offset(fdt, "/pci");
}

static int pci_dev_read(const void *fdt, int node, struct dt_pci_dev *dev)
{
	const fdt32_t *reg;
	const char *name;
	int len;

	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg || len != 5 * 4)
		return -EINVAL;
	dev->node = node;
	dev->bdf = (fdt32_to_cpu(reg[0]) >> 8) & 0xffff;
	dev->vendor = dt__prop_u32_or(fdt, node, "vendor-id", ~0u);
	dev->device = dt__prop_u32_or(fdt, node, "device-id", ~0u);
	dev->class_code = dt__prop_u32_or(fdt, node, "class-code", 0);
	dev->has_iommu_ep = !dt__prop_u32(fdt, node, "vsva,iommu-endpoint",
					  &dev->iommu_ep);
	name = fdt_getprop(fdt, node, "vsva,name", &len);
	if (!name || len < 1 || strnlen(name, len) == (size_t)len)
		name = "";
	dev->name = name;
	return 0;
}

int dt__pci_next(const void *fdt, int node, struct dt_pci_dev *dev)
{
	int pci = dt__pci_node(fdt);

	if (pci < 0)
		return pci;
	node = node < 0 ? fdt_first_subnode(fdt, pci) :
			  fdt_next_subnode(fdt, node);
	for (; node >= 0; node = fdt_next_subnode(fdt, node))
		if (!pci_dev_read(fdt, node, dev))
			return node;
	return node;
}

int dt__pci_find(const void *fdt, const char *name, struct dt_pci_dev *dev)
{
	int node = -1;

	while ((node = dt__pci_next(fdt, node, dev)) >= 0)
		if (!strcmp(dev->name, name))
			return 0;
	return -ENOENT;
}
