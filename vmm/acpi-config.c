// SPDX-License-Identifier: GPL-2.0
/*
 * Checking a struct acpi_config before any table is written: every value
 * the builders copy into a table must make sense, and the I/O ports,
 * windows and buses the tables describe must not collide.  Pure: no I/O,
 * no globals.
 */
#include <errno.h>

#include "acpi-priv.h"

#define ECAM_BUS_SHIFT		20	/* 1 MiB of config space per bus */

static bool acpi__ranges_overlap(u32 a, u32 alen, u32 b, u32 blen)
{
	return (u64)a < (u64)b + blen && (u64)b < (u64)a + alen;
}

/* BDF @bdf lies on one of the root bridge's buses. */
static bool acpi__bdf_on_root(const struct acpi_config *cfg, u16 bdf)
{
	return (bdf >> 8) >= cfg->pci.bus_start &&
	       (bdf >> 8) <= cfg->pci.bus_end;
}

/* MCFG and VIOT: both describe the root bridge's buses. */
static int acpi__check_pci_tables(const struct acpi_config *cfg)
{
	__typeof__(cfg->ecam) *e = &cfg->ecam;
	__typeof__(cfg->viot) *v = &cfg->viot;
	int i;

	if (e->base) {
		u64 start = e->base + ((u64)e->bus_start << ECAM_BUS_SHIFT);
		u64 end = e->base + ((u64)(e->bus_end + 1) << ECAM_BUS_SHIFT);

		if (!cfg->pci.present || e->base & ((1ULL << ECAM_BUS_SHIFT) - 1) ||
		    e->bus_start != cfg->pci.bus_start ||
		    e->bus_end != cfg->pci.bus_end ||
		    e->base > (1ULL << 52) ||
		    ((u64)cfg->pci.mmio_base < end &&
		     start < (u64)cfg->pci.mmio_base + cfg->pci.mmio_size))
			return -EINVAL;
	}
	if (v->present) {
		if (!cfg->pci.present || !acpi__bdf_on_root(cfg, v->iommu_bdf) ||
		    v->nr_endpoints < 0 ||
		    v->nr_endpoints > ACPI_VIOT_MAX_ENDPOINTS)
			return -EINVAL;
		for (i = 0; i < v->nr_endpoints; i++) {
			u16 bdf = v->endpoints[i];

			if (!acpi__bdf_on_root(cfg, bdf) ||
			    bdf == v->iommu_bdf ||
			    (i && bdf <= v->endpoints[i - 1]))
				return -EINVAL;
		}
	}
	return 0;
}

int acpi__check_config(const struct acpi_config *cfg)
{
	if (cfg->nr_cpus < 1 || cfg->nr_cpus > 255)	/* 0xFF: broadcast */
		return -EINVAL;
	if (cfg->ioapic_id > 0xff)
		return -EINVAL;
	if (!cfg->sleep_ctl_port || !cfg->sleep_sts_port ||
	    cfg->sleep_ctl_port == cfg->sleep_sts_port)
		return -EINVAL;
	if (cfg->com1_port) {
		if (cfg->com1_irq < 1 || cfg->com1_irq > 15 ||
		    cfg->com1_irq == 2 || cfg->com1_port > 0xfff8)
			return -EINVAL;
	}
	if (cfg->pci.present) {
		const struct { u32 base, len; } io_users[] = {
			{ cfg->sleep_ctl_port, 1 },
			{ cfg->sleep_sts_port, 1 },
			{ cfg->com1_port, cfg->com1_port ? 8 : 0 },
			{ cfg->reset_port, cfg->reset_port ? 1 : 0 },
			{ 0xcf8, 8 },	/* configuration mechanism #1 */
		};
		size_t i;

		if (cfg->pci.bus_start > cfg->pci.bus_end)
			return -EINVAL;
		if (!cfg->pci.mmio_size ||
		    (u64)cfg->pci.mmio_base + cfg->pci.mmio_size > 1ULL << 32)
			return -EINVAL;
		if (cfg->pci.io_size) {
			if ((u64)cfg->pci.io_base + cfg->pci.io_size > 0x10000)
				return -EINVAL;
			for (i = 0; i < ARRAY_SIZE(io_users); i++)
				if (acpi__ranges_overlap(cfg->pci.io_base,
							 cfg->pci.io_size,
							 io_users[i].base,
							 io_users[i].len))
					return -EINVAL;
		}
	}
	return acpi__check_pci_tables(cfg);
}
