// SPDX-License-Identifier: GPL-2.0
/*
 * ELF64 loader for firmware images: every PT_LOAD segment is copied to its
 * physical address, which must lie in guest RAM at or above 1 MiB.  Pure.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include <vsva/boot.h>

int elf__load(const struct guest_mem *mem, const u8 *img, size_t len,
	      u64 *entry, u64 *end)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	u64 top = 0;
	int loaded = 0;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	if (eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC ||
	    eh->e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;
	if (eh->e_phoff > len ||
	    (u64)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return -ENOEXEC;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		u8 *dst;

		memcpy(&ph, img + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
		    ph.p_filesz > len - ph.p_offset)
			return -ENOEXEC;
		if (ph.p_paddr < BOOT_HIGH_ADDR ||
		    ph.p_paddr + ph.p_memsz < ph.p_paddr)
			return -EFAULT;
		dst = guest_mem__ptr(mem, ph.p_paddr, ph.p_memsz);
		if (!dst)
			return -EFAULT;
		memcpy(dst, img + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		top = MAX(top, ph.p_paddr + ph.p_memsz);
		loaded++;
	}
	if (!loaded)
		return -ENOEXEC;
	*entry = eh->e_entry;
	*end = top;
	return 0;
}
