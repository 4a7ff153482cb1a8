// SPDX-License-Identifier: GPL-2.0
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>

#include <vsva/boot.h>

static u32 prop_u32(const void *fdt, const char *path, const char *name)
{
	int node = fdt_path_offset(fdt, path), len;
	const fdt32_t *p;

	cr_assert_geq(node, 0, "%s exists", path);
	p = fdt_getprop(fdt, node, name, &len);
	cr_assert_not_null(p, "%s:%s exists", path, name);
	return fdt32_to_cpu(p[0]);
}

Test(fdt, describes_the_machine)
{
	static u8 fdt[16384];
	struct guest_mem mem;
	const struct fdt_pci_dev pci[] = {
		{ 0, 0, 0, 0x8086, 0x29c0, 0x060000, "host-bridge", -1 },
		{ 0, 1, 0, 0x1af4, 0x1044, 0xff0000, "virtio-rng", 0x08 },
	};
	struct fdt_machine m = { .mem = &mem, .nr_cpus = 2, .pci = pci, .nr_pci = 2 };
	const fdt32_t *reg;
	u64 addr, size;
	int len, node, n;

	guest_mem__layout(&mem, (u8 *)(uintptr_t)0x7f0000000000ULL, 5ULL << 30);
	cr_assert_eq(fdt__build(fdt, sizeof(fdt), &m), 0);
	cr_assert_eq(fdt_check_header(fdt), 0);

	node = fdt_path_offset(fdt, "/memory@0");
	reg = fdt_getprop(fdt, node, "reg", &len);
	cr_assert_eq(len, 2 * 16, "two RAM regions");
	addr = (u64)fdt32_to_cpu(reg[4]) << 32 | fdt32_to_cpu(reg[5]);
	size = (u64)fdt32_to_cpu(reg[6]) << 32 | fdt32_to_cpu(reg[7]);
	cr_assert_eq(addr, 1ULL << 32);
	cr_assert_eq(size, (5ULL << 30) - 0xc0000000ULL);

	n = 0;
	fdt_for_each_subnode(node, fdt, fdt_path_offset(fdt, "/cpus"))
		n++;
	cr_assert_eq(n, 2);
	cr_assert_eq(prop_u32(fdt, "/cpus/cpu@1", "reg"), 1);
	cr_assert_eq(prop_u32(fdt, "/chosen", "vsva,exit-port"), 0x510);
	cr_assert_str_eq(fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"),
				     "stdout-path", NULL), "/serial@3f8");
	cr_assert_eq(prop_u32(fdt, "/serial@3f8", "vsva,port"), 0x3f8);
	cr_assert_eq(prop_u32(fdt, "/serial@3f8", "interrupts"), 4);
	cr_assert_eq(prop_u32(fdt, "/pci/dev@1,0", "vendor-id"), 0x1af4);
	cr_assert_eq(prop_u32(fdt, "/pci/dev@1,0", "device-id"), 0x1044);
	cr_assert_eq(prop_u32(fdt, "/pci/dev@1,0", "reg"), 1 << 11);
	cr_assert_str_eq(fdt_getprop(fdt, fdt_path_offset(fdt, "/pci/dev@1,0"),
				     "vsva,name", NULL), "virtio-rng");
	cr_assert_str_eq(fdt_getprop(fdt, fdt_path_offset(fdt, "/pci/dev@1,0"),
				     "compatible", NULL), "pci1af4,1044");
	cr_assert_eq(prop_u32(fdt, "/pci/dev@1,0", "vsva,iommu-endpoint"), 0x08);
	cr_assert_null(fdt_getprop(fdt, fdt_path_offset(fdt, "/pci/dev@0,0"),
				   "vsva,iommu-endpoint", NULL),
		       "untranslated devices have no endpoint");
	cr_assert_eq(fdt_num_mem_rsv(fdt), 1);
}

Test(fdt, too_small_buffer)
{
	static u8 fdt[128];
	struct guest_mem mem;
	struct fdt_machine m = { .mem = &mem, .nr_cpus = 1 };

	guest_mem__layout(&mem, (u8 *)(uintptr_t)0x7f0000000000ULL, 64ULL << 20);
	cr_assert_eq(fdt__build(fdt, sizeof(fdt), &m), -ENOSPC);
}
