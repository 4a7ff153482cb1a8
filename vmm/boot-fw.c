// SPDX-License-Identifier: GPL-2.0
/*
 * Firmware guests: find the image (a path, or the name of a payload built
 * by the tree), load it, build the device tree, enter it in long mode.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <config.h>
#include <vsva/boot.h>
#include <vsva/log.h>
#include <vsva/pci.h>
#include <vsva/vm.h>

#define FW_MAX_PCI	32

/* FIRMWARE is a path if it names a file or has a '/', else a payload name. */
int boot__find_firmware(const char *name, char *path, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (strchr(name, '/') || !access(name, R_OK)) {
		snprintf(path, size, "%s", name);
		return access(path, R_OK) ? -errno : 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		snprintf(path, size, "%s/firmware/out/%s.elf", exe, name);
		if (!access(path, R_OK))
			return 0;
	}
	snprintf(path, size, "%s/lib/vsva/firmware/%s.elf", VSVA_PREFIX, name);
	if (!access(path, R_OK))
		return 0;
	return -ENOENT;
}

static int boot__fdt_pci(struct vm *vm, struct fdt_pci_dev *out, int max)
{
	struct pci_device *pdev = NULL;
	int n = 0;

	while ((pdev = pci__next(vm, pdev)) && n < max) {
		out[n] = (struct fdt_pci_dev){
			.bus = 0,
			.dev = (u8)(pci__devfn(pdev) >> 3),
			.fn = (u8)(pci__devfn(pdev) & 7),
			.vendor = (u16)pci_cfg__get(pdev, PCI_REG_VENDOR_ID, 2),
			.device = (u16)pci_cfg__get(pdev, PCI_REG_DEVICE_ID, 2),
			.class_code = pci_cfg__get(pdev, PCI_REG_REVISION, 4) >> 8,
			.name = pdev->name,
			.iommu_ep = pdev->dma && pdev->dma->translate ?
				    (int)pci__devfn(pdev) : -1,
		};
		n++;
	}
	return n;
}

int boot__firmware(struct vm *vm, const char *name, struct vcpu_boot_state *st)
{
	struct fdt_pci_dev pci[FW_MAX_PCI];
	struct fdt_machine m = { .mem = &vm->mem, .nr_cpus = vm->nr_cpus,
				 .bootargs = vm->cfg->fw_args };
	char path[PATH_MAX];
	u64 entry, end;
	size_t len;
	void *fdt;
	u8 *img;
	int ret;

	ret = boot__find_firmware(name, path, sizeof(path));
	if (ret)
		die("firmware '%s' not found (a path, or a payload name such as 'hello' built in firmware/out/)",
		    name);
	ret = boot__read_file(path, &img, &len);
	if (ret)
		die("cannot read firmware %s: %s", path, strerror(-ret));
	ret = elf__load(&vm->mem, img, len, &entry, &end);
	free(img);
	if (ret)
		die("cannot load firmware %s: %s", path,
		    ret == -EFAULT ? "a segment lies outside guest RAM or below 1 MiB" :
		    "not an x86-64 ELF executable");
	pr_info("firmware %s: entry 0x%llx, image ends at 0x%llx", path,
		(unsigned long long)entry, (unsigned long long)end);

	m.nr_pci = boot__fdt_pci(vm, pci, FW_MAX_PCI);
	m.pci = pci;
	fdt = guest_mem__ptr(&vm->mem, BOOT_FDT_ADDR, BOOT_FDT_MAX);
	if (!fdt)
		die("guest RAM too small for the device tree");
	ret = fdt__build(fdt, BOOT_FDT_MAX, &m);
	if (ret)
		die("cannot build the device tree: %s", strerror(-ret));

	ret = boot__identity_map(&vm->mem, st);
	if (!ret)
		ret = boot__gdt(&vm->mem, 0x08, 0x10, st);
	if (ret)
		die("cannot build boot page tables: %s", strerror(-ret));
	st->rip = entry;
	st->rdi = BOOT_FDT_ADDR;
	st->rsi = 0;
	st->rsp = 0;
	return 0;
}
