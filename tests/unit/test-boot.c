// SPDX-License-Identifier: GPL-2.0
#include <criterion/criterion.h>
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <asm/bootparam.h>

#include <vsva/boot.h>

#define RAM (64ULL << 20)

static u8 *ram;
static struct guest_mem mem;

static void setup(void)
{
	ram = calloc(1, RAM);
	guest_mem__layout(&mem, ram, RAM);
}

static void teardown(void)
{
	free(ram);
}

TestSuite(boot, .init = setup, .fini = teardown);

Test(boot, e820_small_guest)
{
	struct boot_e820_entry e[8];
	int n = e820__build(&mem, e, 8);

	cr_assert_eq(n, 4);
	cr_assert_eq(e[0].addr, 0);
	cr_assert_eq(e[0].size, BOOT_EBDA_ADDR);
	cr_assert_eq(e[0].type, 1);
	cr_assert_eq(e[1].addr, BOOT_EBDA_ADDR);
	cr_assert_eq(e[1].type, 2, "EBDA, BIOS area and ACPI tables reserved");
	cr_assert_eq(e[1].addr + e[1].size, 0x100000);
	cr_assert_eq(e[2].addr, 0x100000);
	cr_assert_eq(e[2].size, RAM - 0x100000);
	cr_assert_eq(e[3].addr, 0xe0000000ULL, "the ECAM window (MCFG)");
	cr_assert_eq(e[3].size, 0x100000ULL, "1 MiB: bus 0");
	cr_assert_eq(e[3].type, 2, "ECAM reserved, or Linux ignores MCFG");
	cr_assert_eq(e820__build(&mem, e, 2), -ENOSPC);
	cr_assert_eq(e820__build(&mem, e, 3), -ENOSPC);
}

Test(boot, e820_above_4g)
{
	struct guest_mem big;
	struct boot_e820_entry e[8];
	int n;

	/* never dereferenced: e820 only reads the layout */
	guest_mem__layout(&big, (u8 *)(uintptr_t)0x7f0000000000ULL, 5ULL << 30);
	n = e820__build(&big, e, 8);
	cr_assert_eq(n, 5);
	cr_assert_eq(e[2].addr + e[2].size, GUEST_MMIO_HOLE_START,
		     "low RAM stops at the PCI hole");
	cr_assert_eq(e[3].addr, 0xe0000000ULL, "ECAM, in the hole");
	cr_assert_eq(e[3].type, 2);
	cr_assert_eq(e[4].addr, 1ULL << 32);
	cr_assert_eq(e[4].size, (5ULL << 30) - GUEST_MMIO_HOLE_START);
	cr_assert_eq(e[4].type, 1);
	for (int i = 0; i < n; i++)
		cr_assert(e[i].addr + e[i].size <= 0xe0000000ULL ||
			  e[i].addr >= 0xe0100000ULL || e[i].type == 2,
			  "no RAM entry overlaps the ECAM window");
}

Test(boot, identity_map_and_gdt)
{
	struct vcpu_boot_state st = { 0 };
	u64 *pml4 = (u64 *)(ram + BOOT_PML4_ADDR);
	u64 *pd3;

	cr_assert_eq(boot__identity_map(&mem, &st), 0);
	cr_assert_eq(st.cr3, BOOT_PML4_ADDR);
	cr_assert_eq(pml4[0] & ~0xfffULL, BOOT_PML4_ADDR + 0x1000);
	cr_assert_eq(pml4[1], 0);
	/* the last 2 MiB page below 4 GiB maps to itself */
	pd3 = (u64 *)(ram + BOOT_PML4_ADDR + 0x5000);
	cr_assert_eq(pd3[511] & ~0xfffULL, 0xffe00000ULL);
	cr_assert_eq(pd3[511] & 0x83, 0x83, "present, writable, 2 MiB");

	cr_assert_eq(boot__gdt(&mem, 0x10, 0x18, &st), 0);
	cr_assert_eq(st.cs, 0x10);
	cr_assert_eq(((u64 *)(ram + BOOT_GDT_ADDR))[2] >> 53 & 1, 1, "L bit");
	cr_assert_eq(boot__gdt(&mem, 0x10, 0x10, &st), -EINVAL);
	cr_assert_eq(boot__gdt(&mem, 0x40, 0x10, &st), -EINVAL);
}

/* A synthetic bzImage: setup header + a recognisable "kernel". */
static u8 *fake_bzimage(size_t *len, u16 version, u8 xloadflags)
{
	size_t setup = 5 * 512, kernel = 8192;
	u8 *b = calloc(1, setup + kernel);

	b[0x1f1] = 4;				/* setup_sects */
	b[0x1fe] = 0x55; b[0x1ff] = 0xaa;	/* boot_flag */
	b[0x200] = 0xeb; b[0x201] = 0x6a;	/* jmp: header ends at 0x26c */
	memcpy(b + 0x202, "HdrS", 4);
	memcpy(b + 0x206, &version, 2);
	b[0x236] = xloadflags;
	{
		u32 initrd_max = 0x37ffffff, cmdline_size = 2047;
		u32 init_size = 0x200000;

		memcpy(b + 0x22c, &initrd_max, 4);
		memcpy(b + 0x238, &cmdline_size, 4);
		memcpy(b + 0x260, &init_size, 4);
	}
	memset(b + setup, 0xcc, kernel);
	*len = setup + kernel;
	return b;
}

Test(boot, linux_parse_rejects_bad_images)
{
	struct linux_image img;
	size_t len;
	u8 *b = fake_bzimage(&len, 0x020f, XLF_KERNEL_64);

	cr_assert_eq(linux__parse(b, len, &img), 0);
	cr_assert_eq(img.setup_size, 5 * 512);
	cr_assert_eq(linux__parse(b, 100, &img), -ENOEXEC);
	b[0x202] = 'X';
	cr_assert_eq(linux__parse(b, len, &img), -ENOEXEC);
	free(b);
	b = fake_bzimage(&len, 0x020b, XLF_KERNEL_64);
	cr_assert_eq(linux__parse(b, len, &img), -EPROTO, "too old");
	free(b);
	b = fake_bzimage(&len, 0x020f, 0);
	cr_assert_eq(linux__parse(b, len, &img), -EPROTO, "no 64-bit entry");
	free(b);
}

Test(boot, linux_setup_places_everything)
{
	struct vcpu_boot_state st = { 0 };
	struct linux_image img;
	struct boot_params *bp = (struct boot_params *)(ram + BOOT_ZERO_PAGE_ADDR);
	u8 initrd[5000];
	size_t len;
	u8 *b = fake_bzimage(&len, 0x020f, XLF_KERNEL_64);

	memset(initrd, 0x77, sizeof(initrd));
	cr_assert_eq(linux__parse(b, len, &img), 0);
	cr_assert_eq(linux__setup(&mem, &img, "console=ttyS0 quiet", initrd,
				  sizeof(initrd), 0xe0000, &st), 0);
	cr_assert_eq(st.rip, 0x100200);
	cr_assert_eq(st.rsi, BOOT_ZERO_PAGE_ADDR);
	cr_assert_eq(ram[0x100000], 0xcc);
	cr_assert_eq(ram[0x100000 + 8191], 0xcc);
	cr_assert_eq(bp->hdr.type_of_loader, 0xff);
	cr_assert_eq(bp->hdr.cmd_line_ptr, BOOT_CMDLINE_ADDR);
	cr_assert_str_eq((char *)ram + BOOT_CMDLINE_ADDR, "console=ttyS0 quiet");
	cr_assert_eq(bp->hdr.ramdisk_size, sizeof(initrd));
	cr_assert_eq(bp->hdr.ramdisk_image % 4096, 0);
	cr_assert_geq(bp->hdr.ramdisk_image, 0x100000 + 0x200000,
		      "initrd above the kernel's init_size");
	cr_assert_leq(bp->hdr.ramdisk_image + sizeof(initrd), RAM);
	cr_assert_eq(ram[bp->hdr.ramdisk_image], 0x77);
	cr_assert_eq(bp->e820_entries, 4);
	cr_assert_eq(bp->acpi_rsdp_addr, 0xe0000);
	cr_assert_eq(memcmp(&bp->hdr.header, "HdrS", 4), 0);
	free(b);
}

Test(boot, linux_setup_refuses_too_much)
{
	struct vcpu_boot_state st = { 0 };
	struct linux_image img;
	size_t len;
	u8 *b = fake_bzimage(&len, 0x020f, XLF_KERNEL_64);
	char *longcmd = malloc(4096);
	u8 *huge = malloc(RAM);

	memset(longcmd, 'a', 4095);
	longcmd[4095] = 0;
	cr_assert_eq(linux__parse(b, len, &img), 0);
	cr_assert_eq(linux__setup(&mem, &img, longcmd, NULL, 0, 0, &st), -E2BIG);
	cr_assert_eq(linux__setup(&mem, &img, "", huge, RAM - 0x100000, 0, &st),
		     -ENOMEM, "initrd would overlap the kernel");
	free(huge);
	free(longcmd);
	free(b);
}

static size_t make_elf(u8 *out, u64 paddr, u64 filesz, u64 memsz, u16 machine)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)out;
	Elf64_Phdr *ph = (Elf64_Phdr *)(out + sizeof(*eh));

	memset(out, 0, 4096);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = machine;
	eh->e_entry = paddr + 0x10;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_offset = 512;
	ph->p_paddr = paddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	memset(out + 512, 0x42, filesz);
	return 512 + filesz;
}

Test(boot, elf_load)
{
	u8 img[4096];
	u64 entry, end;
	size_t len = make_elf(img, 0x100000, 256, 1024, EM_X86_64);

	memset(ram + 0x100000, 0xff, 2048);
	cr_assert_eq(elf__load(&mem, img, len, &entry, &end), 0);
	cr_assert_eq(entry, 0x100010);
	cr_assert_eq(end, 0x100400);
	cr_assert_eq(ram[0x100000 + 255], 0x42);
	cr_assert_eq(ram[0x100000 + 256], 0, "bss zeroed");
	cr_assert_eq(ram[0x100000 + 1024], 0xff, "nothing past memsz");
}

Test(boot, elf_rejects_hostile_images)
{
	u8 img[4096];
	u64 entry, end;
	size_t len;

	len = make_elf(img, 0x1000, 16, 16, EM_X86_64);
	cr_assert_eq(elf__load(&mem, img, len, &entry, &end), -EFAULT,
		     "below 1 MiB");
	len = make_elf(img, RAM - 8, 16, 16, EM_X86_64);
	cr_assert_eq(elf__load(&mem, img, len, &entry, &end), -EFAULT,
		     "past the end of RAM");
	len = make_elf(img, ~0ULL - 8, 16, 16, EM_X86_64);
	cr_assert_eq(elf__load(&mem, img, len, &entry, &end), -EFAULT, "wraps");
	len = make_elf(img, 0x100000, 64, 16, EM_X86_64);
	cr_assert_eq(elf__load(&mem, img, len, &entry, &end), -ENOEXEC,
		     "filesz > memsz");
	len = make_elf(img, 0x100000, 16, 16, EM_386);
	cr_assert_eq(elf__load(&mem, img, len, &entry, &end), -ENOEXEC);
	len = make_elf(img, 0x100000, 16, 16, EM_X86_64);
	cr_assert_eq(elf__load(&mem, img, 300, &entry, &end), -ENOEXEC,
		     "segment beyond the file");
	((Elf64_Ehdr *)img)->e_phnum = 60000;
	cr_assert_eq(elf__load(&mem, img, len, &entry, &end), -ENOEXEC,
		     "program headers beyond the file");
}
