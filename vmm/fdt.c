// SPDX-License-Identifier: GPL-2.0
/*
 * The flattened device tree vsva hands to firmware guests (see
 * docs/firmware-abi.md): memory, CPUs, console, exit port, PCI devices.
 * Built in a caller's buffer with libfdt's sequential-write API.
 */
#include <errno.h>
#include <stdio.h>
#include <libfdt.h>

#include <vsva/boot.h>
#include <vsva/pci.h>
#include <vsva/power.h>

#define FDT_TRY(x)				\
	do {					\
		int __r = (x);			\
		if (__r < 0)			\
			return __r == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL; \
	} while (0)

static int fdt__u32s(void *fdt, const char *name, const u32 *v, int n)
{
	fdt32_t be[16];

	for (int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, be, n * (int)sizeof(be[0]));
}

static int fdt__memory(void *fdt, const struct guest_mem *mem)
{
	u32 reg[4 * GUEST_MEM_MAX_REGIONS];
	int n = 0;

	for (int i = 0; i < mem->nr_regions; i++) {
		reg[n++] = (u32)(mem->regions[i].gpa >> 32);
		reg[n++] = (u32)mem->regions[i].gpa;
		reg[n++] = (u32)(mem->regions[i].size >> 32);
		reg[n++] = (u32)mem->regions[i].size;
	}
	FDT_TRY(fdt_begin_node(fdt, "memory@0"));
	FDT_TRY(fdt_property_string(fdt, "device_type", "memory"));
	FDT_TRY(fdt__u32s(fdt, "reg", reg, n));
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

static int fdt__cpus(void *fdt, int nr)
{
	FDT_TRY(fdt_begin_node(fdt, "cpus"));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 1));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (int i = 0; i < nr; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%x", i);
		FDT_TRY(fdt_begin_node(fdt, name));
		FDT_TRY(fdt_property_string(fdt, "device_type", "cpu"));
		FDT_TRY(fdt_property_u32(fdt, "reg", (u32)i));
		FDT_TRY(fdt_end_node(fdt));
	}
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

static int fdt__pci(void *fdt, const struct fdt_pci_dev *devs, int nr)
{
	const u32 bus_range[2] = { 0, 0 };

	FDT_TRY(fdt_begin_node(fdt, "pci"));
	FDT_TRY(fdt_property_string(fdt, "compatible", "vsva,pci-cf8"));
	FDT_TRY(fdt_property_string(fdt, "device_type", "pci"));
	FDT_TRY(fdt_property_u32(fdt, "vsva,port", 0xcf8));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 3));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 2));
	FDT_TRY(fdt__u32s(fdt, "bus-range", bus_range, 2));
	{
		const u32 ecam[2] = { (u32)(PCI_ECAM_BASE >> 32),
				      (u32)PCI_ECAM_BASE };

		FDT_TRY(fdt__u32s(fdt, "vsva,ecam", ecam, 2));
	}
	for (int i = 0; i < nr; i++) {
		const struct fdt_pci_dev *d = &devs[i];
		u32 reg[5] = { (u32)d->bus << 16 | (u32)d->dev << 11 |
			       (u32)d->fn << 8, 0, 0, 0, 0 };
		char name[32], compat[32];

		snprintf(name, sizeof(name), "dev@%x,%x", d->dev, d->fn);
		snprintf(compat, sizeof(compat), "pci%04x,%04x", d->vendor,
			 d->device);
		FDT_TRY(fdt_begin_node(fdt, name));
		FDT_TRY(fdt__u32s(fdt, "reg", reg, 5));
		FDT_TRY(fdt_property_u32(fdt, "vendor-id", d->vendor));
		FDT_TRY(fdt_property_u32(fdt, "device-id", d->device));
		FDT_TRY(fdt_property_u32(fdt, "class-code", d->class_code));
		FDT_TRY(fdt_property_string(fdt, "compatible", compat));
		if (d->name)
			FDT_TRY(fdt_property_string(fdt, "vsva,name", d->name));
		if (d->iommu_ep >= 0)
			FDT_TRY(fdt_property_u32(fdt, "vsva,iommu-endpoint",
						 (u32)d->iommu_ep));
		FDT_TRY(fdt_end_node(fdt));
	}
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

int fdt__build(void *fdt, size_t size, const struct fdt_machine *m)
{
	int ret;

	if (size > INT32_MAX)
		return -EINVAL;
	FDT_TRY(fdt_create(fdt, (int)size));
	/* Everything below 1 MiB is vsva's (tables, this tree, ACPI). */
	FDT_TRY(fdt_add_reservemap_entry(fdt, 0, BOOT_HIGH_ADDR));
	FDT_TRY(fdt_finish_reservemap(fdt));
	FDT_TRY(fdt_begin_node(fdt, ""));
	FDT_TRY(fdt_property_string(fdt, "compatible", "vsva,firmware"));
	FDT_TRY(fdt_property_string(fdt, "model", "vsva"));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 2));

	FDT_TRY(fdt_begin_node(fdt, "chosen"));
	FDT_TRY(fdt_property_string(fdt, "stdout-path", "/serial@3f8"));
	FDT_TRY(fdt_property_u32(fdt, "vsva,exit-port", VSVA_PORT_FW_EXIT));
	if (m->bootargs)
		FDT_TRY(fdt_property_string(fdt, "bootargs", m->bootargs));
	FDT_TRY(fdt_end_node(fdt));

	ret = fdt__memory(fdt, m->mem);
	if (ret)
		return ret;
	ret = fdt__cpus(fdt, m->nr_cpus);
	if (ret)
		return ret;

	FDT_TRY(fdt_begin_node(fdt, "serial@3f8"));
	FDT_TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	FDT_TRY(fdt_property_u32(fdt, "vsva,port", 0x3f8));
	FDT_TRY(fdt_property_u32(fdt, "interrupts", 4));
	FDT_TRY(fdt_property_u32(fdt, "clock-frequency", 1843200));
	FDT_TRY(fdt_end_node(fdt));

	ret = fdt__pci(fdt, m->pci, m->nr_pci);
	if (ret)
		return ret;
	FDT_TRY(fdt_end_node(fdt));
	FDT_TRY(fdt_finish(fdt));
	return 0;
}
