/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boot: what vsva puts in guest memory before the first instruction.
 *
 * Low memory (below 1 MiB) is vsva's:
 *   0x00500  GDT
 *   0x01000  identity page tables for 0..4 GiB (PML4, PDPT, 4 PDs)
 *   0x07000  Linux boot_params (the zero page)
 *   0x10000  firmware device tree (up to 64 KiB)
 *   0x20000  Linux command line (up to 64 KiB)
 *   0x9fc00  EBDA (reserved)
 *   0xe0000  ACPI tables, RSDP first (up to 128 KiB)
 */
#ifndef VSVA_BOOT_H
#define VSVA_BOOT_H

#include <vsva/guest-mem.h>
#include <vsva/vcpu.h>

#define BOOT_GDT_ADDR		0x00500ULL
#define BOOT_PML4_ADDR		0x01000ULL
#define BOOT_PT_END		0x07000ULL
#define BOOT_ZERO_PAGE_ADDR	0x07000ULL
#define BOOT_FDT_ADDR		0x10000ULL
#define BOOT_FDT_MAX		0x10000ULL
#define BOOT_CMDLINE_ADDR	0x20000ULL
#define BOOT_CMDLINE_MAX	0x10000ULL
#define BOOT_EBDA_ADDR		0x9fc00ULL
#define BOOT_BIOS_ADDR		0xe0000ULL
#define BOOT_ACPI_ADDR		0xe0000ULL
#define BOOT_ACPI_MAX		0x20000ULL
#define BOOT_HIGH_ADDR		0x100000ULL	/* kernels and firmware */

/* Identity-map 0..4 GiB with 2 MiB pages; sets st->cr3. */
int boot__identity_map(const struct guest_mem *mem, struct vcpu_boot_state *st);
/*
 * A flat GDT with a 64-bit code segment at @cs and a data segment at @ds
 * (Linux wants 0x10/0x18, firmware gets 0x08/0x10); fills st's GDT fields.
 */
int boot__gdt(const struct guest_mem *mem, u16 cs, u16 ds,
	      struct vcpu_boot_state *st);

/* e820 map of guest RAM, pure.  Returns the number of entries. */
struct boot_e820_entry;
int e820__build(const struct guest_mem *mem, struct boot_e820_entry *tbl,
		int max);

/* Linux bzImage (boot protocol >= 2.12, 64-bit entry). */
struct linux_image {
	const u8 *buf;
	size_t len;
	u32 setup_size;		/* bytes before the protected-mode kernel */
	u16 version;
	u32 init_size;
	u32 initrd_addr_max;
	u32 cmdline_size;
};
int linux__parse(const u8 *buf, size_t len, struct linux_image *img);
/*
 * Place kernel, command line, initrd and boot_params in guest memory.
 * @initrd may be NULL.  Pure: no file or KVM I/O.
 */
int linux__setup(const struct guest_mem *mem, const struct linux_image *img,
		 const char *cmdline, const u8 *initrd, size_t initrd_len,
		 u64 rsdp_gpa, struct vcpu_boot_state *st);

/* ELF64 firmware images, pure.  *end is the first byte after the image. */
int elf__load(const struct guest_mem *mem, const u8 *img, size_t len,
	      u64 *entry, u64 *end);

/* The device tree for firmware guests. */
struct fdt_pci_dev {
	u8 bus, dev, fn;
	u16 vendor, device;
	u32 class_code;
	const char *name;
	int iommu_ep;		/* vIOMMU endpoint ID, -1 if not translated */
};

struct fdt_machine {
	const struct guest_mem *mem;
	int nr_cpus;
	const struct fdt_pci_dev *pci;
	int nr_pci;
	const char *bootargs;
};
int fdt__build(void *buf, size_t size, const struct fdt_machine *m);

struct vm;
int boot__linux(struct vm *vm, struct vcpu_boot_state *st);
int boot__firmware(struct vm *vm, const char *path, struct vcpu_boot_state *st);
int boot__find_firmware(const char *name, char *path, size_t size);
/* Read a whole file; caller frees. */
int boot__read_file(const char *path, u8 **buf, size_t *len);

#endif
