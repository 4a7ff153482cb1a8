// SPDX-License-Identifier: GPL-2.0
/* Booting Linux: read the bzImage and initrd, build ACPI, set up the BSP. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/acpi.h>
#include <vsva/boot.h>
#include <vsva/log.h>
#include <vsva/pci.h>
#include <vsva/power.h>
#include <vsva/virtio-iommu.h>
#include <vsva/vm.h>

_Static_assert(PCI_ECAM_SIZE == 1ULL << 20, "the MCFG says: bus 0 only");

/*
 * The VIOT: the virtio-iommu, and the BDF of every PCI function whose DMA
 * it translates (pci.c lists devices in slot order, so ascending).  The
 * host bridge, the IOMMU and opted-out devices stay out.
 */
static void boot__viot(struct vm *vm, struct acpi_config *cfg)
{
	struct pci_device *iommu = virtio_iommu__pdev(vm), *pdev = NULL;

	if (!iommu)
		return;
	cfg->viot.present = true;
	cfg->viot.iommu_bdf = (u16)pci__devfn(iommu);
	while ((pdev = pci__next(vm, pdev))) {
		if (pdev == iommu || !pdev->dma || !pdev->dma->translate)
			continue;
		if (cfg->viot.nr_endpoints == ACPI_VIOT_MAX_ENDPOINTS)
			die("too many PCI functions behind the virtio-iommu");
		cfg->viot.endpoints[cfg->viot.nr_endpoints++] =
			(u16)pci__devfn(pdev);
	}
}

static u64 boot__acpi(struct vm *vm)
{
	struct acpi_config cfg = {
		.nr_cpus = vm->nr_cpus,
		.lapic_addr = 0xfee00000,
		.ioapic_addr = 0xfec00000,
		.ioapic_id = (u32)vm->nr_cpus,
		.sleep_ctl_port = VSVA_PORT_ACPI_SLEEP_CTL,
		.sleep_sts_port = VSVA_PORT_ACPI_SLEEP_STS,
		.reset_port = 0xcf9,
		.reset_value = 0x06,
		.has_cmos_rtc = true,
		.com1_port = 0x3f8,
		.com1_irq = 4,
		.pci = {
			.present = true,
			.bus_start = 0,
			.bus_end = 0,
			.io_base = PCI_IO_WINDOW_START,
			.io_size = PCI_IO_WINDOW_END - PCI_IO_WINDOW_START,
			.mmio_base = PCI_MMIO_WINDOW_START,
			.mmio_size = PCI_MMIO_WINDOW_END - PCI_MMIO_WINDOW_START,
		},
		.ecam = {
			.base = PCI_ECAM_BASE,
			.bus_start = 0,
			.bus_end = 0,
		},
	};
	u8 *buf = guest_mem__ptr(&vm->mem, BOOT_ACPI_ADDR, BOOT_ACPI_MAX);
	u64 rsdp = 0;
	int ret;

	if (!buf)
		die("guest RAM too small for ACPI tables");
	boot__viot(vm, &cfg);
	ret = acpi__build(buf, BOOT_ACPI_MAX, BOOT_ACPI_ADDR, &cfg, &rsdp);
	if (ret < 0)
		die("cannot build ACPI tables: %s", strerror(-ret));
	return rsdp;
}

int boot__linux(struct vm *vm, struct vcpu_boot_state *st)
{
	const struct vm_config *cfg = vm->cfg;
	struct linux_image img;
	u8 *kernel, *initrd = NULL;
	size_t kernel_len, initrd_len = 0;
	u64 rsdp;
	int ret;

	ret = boot__read_file(cfg->kernel, &kernel, &kernel_len);
	if (ret)
		die("cannot read kernel %s: %s", cfg->kernel, strerror(-ret));
	ret = linux__parse(kernel, kernel_len, &img);
	if (ret == -EPROTO)
		die("%s: boot protocol too old or no 64-bit entry (need 2.12+ with XLF_KERNEL_64)",
		    cfg->kernel);
	if (ret)
		die("%s: not a Linux bzImage", cfg->kernel);
	if (cfg->initrd) {
		ret = boot__read_file(cfg->initrd, &initrd, &initrd_len);
		if (ret)
			die("cannot read initrd %s: %s", cfg->initrd,
			    strerror(-ret));
	}
	rsdp = boot__acpi(vm);
	ret = linux__setup(&vm->mem, &img, cfg->cmdline ? cfg->cmdline : "",
			   initrd, initrd_len, rsdp, st);
	free(kernel);
	free(initrd);
	if (ret == -E2BIG)
		die("kernel command line too long");
	if (ret)
		die("guest RAM (%llu MiB) too small for the kernel and initrd",
		    (unsigned long long)cfg->ram_mib);
	ret = boot__identity_map(&vm->mem, st);
	if (!ret)
		ret = boot__gdt(&vm->mem, 0x10, 0x18, st);
	if (ret)
		die("cannot build boot page tables: %s", strerror(-ret));
	pr_info("Linux boot protocol %u.%02u, entry 0x%llx", img.version >> 8,
		img.version & 0xff, (unsigned long long)st->rip);
	return 0;
}
