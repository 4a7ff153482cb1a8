// SPDX-License-Identifier: GPL-2.0
/* Pieces every boot path shares: page tables, GDT, e820, file reading. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <asm/bootparam.h>

#include <vsva/boot.h>
#include <vsva/pci.h>

#define PTE_P	0x1ULL
#define PTE_W	0x2ULL
#define PTE_PS	0x80ULL

int boot__identity_map(const struct guest_mem *mem, struct vcpu_boot_state *st)
{
	u64 *pml4 = guest_mem__ptr(mem, BOOT_PML4_ADDR, BOOT_PT_END - BOOT_PML4_ADDR);
	u64 *pdpt, *pd;

	if (!pml4)
		return -ENOMEM;
	memset(pml4, 0, BOOT_PT_END - BOOT_PML4_ADDR);
	pdpt = pml4 + 512;
	pd = pdpt + 512;
	pml4[0] = (BOOT_PML4_ADDR + 0x1000) | PTE_P | PTE_W;
	for (u64 i = 0; i < 4; i++) {
		pdpt[i] = (BOOT_PML4_ADDR + 0x2000 + i * 0x1000) | PTE_P | PTE_W;
		for (u64 j = 0; j < 512; j++)
			pd[i * 512 + j] = ((i * 512 + j) << 21) | PTE_P | PTE_W |
					  PTE_PS;
	}
	st->cr3 = BOOT_PML4_ADDR;
	return 0;
}

int boot__gdt(const struct guest_mem *mem, u16 cs, u16 ds,
	      struct vcpu_boot_state *st)
{
	/* flat 4 GiB: code = long mode, execute/read; data = read/write */
	const u64 code = 0x00af9b000000ffffULL;
	const u64 data = 0x00cf93000000ffffULL;
	u64 *gdt = guest_mem__ptr(mem, BOOT_GDT_ADDR, 4 * sizeof(u64));

	if (!gdt || cs / 8 >= 4 || ds / 8 >= 4 || cs == ds || !cs || !ds)
		return -EINVAL;
	memset(gdt, 0, 4 * sizeof(u64));
	gdt[cs / 8] = code;
	gdt[ds / 8] = data;
	st->gdt_base = BOOT_GDT_ADDR;
	st->gdt_limit = 4 * sizeof(u64) - 1;
	st->cs = cs;
	st->ds = ds;
	return 0;
}

static int e820__add(struct boot_e820_entry *tbl, int n, int max, u64 addr,
		     u64 size, u32 type)
{
	if (!size)
		return n;
	if (n >= max)
		return -ENOSPC;
	tbl[n].addr = addr;
	tbl[n].size = size;
	tbl[n].type = type;
	return n + 1;
}

#define E820_RAM	1
#define E820_RESERVED	2

int e820__build(const struct guest_mem *mem, struct boot_e820_entry *tbl,
		int max)
{
	const struct guest_mem_region *low = &mem->regions[0];
	int n = 0;

	if (mem->nr_regions < 1 || low->gpa != 0 || low->size < BOOT_HIGH_ADDR)
		return -EINVAL;
	n = e820__add(tbl, n, max, 0, BOOT_EBDA_ADDR, E820_RAM);
	if (n >= 0)
		n = e820__add(tbl, n, max, BOOT_EBDA_ADDR,
			      BOOT_HIGH_ADDR - BOOT_EBDA_ADDR, E820_RESERVED);
	if (n >= 0)
		n = e820__add(tbl, n, max, BOOT_HIGH_ADDR,
			      low->size - BOOT_HIGH_ADDR, E820_RAM);
	/*
	 * The ECAM window (MCFG): Linux on x86 uses it only if firmware
	 * reserved it, and without DMI data it checks the e820 map.
	 */
	if (n >= 0)
		n = e820__add(tbl, n, max, PCI_ECAM_BASE, PCI_ECAM_SIZE,
			      E820_RESERVED);
	for (int i = 1; i < mem->nr_regions && n >= 0; i++)
		n = e820__add(tbl, n, max, mem->regions[i].gpa,
			      mem->regions[i].size, E820_RAM);
	return n;
}

int boot__read_file(const char *path, u8 **buf, size_t *len)
{
	struct stat st;
	ssize_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return -EINVAL;
	}
	*buf = malloc((size_t)st.st_size);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (done < st.st_size) {
		ssize_t n = read(fd, *buf + done, (size_t)(st.st_size - done));

		if (n <= 0) {
			int err = n < 0 ? -errno : -EIO;

			free(*buf);
			close(fd);
			return err;
		}
		done += n;
	}
	close(fd);
	*len = (size_t)st.st_size;
	return 0;
}
