/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the device tree vsva hands the firmware (see notes on the ABI in
 * docs): properties, memory regions, CPUs and the PCI devices it lists.
 */
#ifndef FW_DT_H
#define FW_DT_H

#include <vsva/types.h>

#define DT_MAX_REGIONS	16

struct dt_region {
	u64 base;
	u64 size;
};

struct dt_pci_dev {
	int node;
	u16 bdf;		/* bus << 8 | dev << 3 | fn */
	u32 vendor;		/* -1 if the tree does not say */
	u32 device;
	u32 class_code;
	const char *name;	/* vsva,name, or "" */
	bool has_iommu_ep;	/* translated by the vIOMMU */
	u32 iommu_ep;		/* vsva,iommu-endpoint: its endpoint ID */
};

/* A one-cell property; returns 0, or -ENOENT / -EINVAL. */
int dt__prop_u32(const void *fdt, int node, const char *name, u32 *val);
u32 dt__prop_u32_or(const void *fdt, int node, const char *name, u32 def);

/* The node /chosen's stdout-path names, or a negative libfdt error. */
int dt__stdout_node(const void *fdt);

/* Fills regions[] from every device_type = "memory" node; returns the
 * number found (at most max) or a negative error. */
int dt__memory(const void *fdt, struct dt_region *regions, int max);

/* Number of device_type = "cpu" nodes under /cpus. */
int dt__cpu_count(const void *fdt);

/* The /pci node, or a negative libfdt error. */
int dt__pci_node(const void *fdt);

/*
 * Iterates the devices under /pci: start with node = -1; returns the next
 * device's node (and fills *dev) or a negative value at the end.
 */
int dt__pci_next(const void *fdt, int node, struct dt_pci_dev *dev);

/* The /pci device whose vsva,name is name; 0 or -ENOENT. */
int dt__pci_find(const void *fdt, const char *name, struct dt_pci_dev *dev);

#endif
