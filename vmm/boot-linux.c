// SPDX-License-Identifier: GPL-2.0
/*
 * Linux x86 boot protocol, 64-bit entry: the protected-mode kernel at
 * 1 MiB, boot_params (zero page) with the setup header, e820 map, command
 * line and initrd, then RIP = kernel + 0x200 with RSI = boot_params.
 * linux__parse() and linux__setup() are pure; boot__linux() reads files.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <asm/bootparam.h>

#include <vsva/boot.h>
#include <vsva/log.h>
#include <vsva/vm.h>

#define SETUP_HDR_OFF		0x1f1
#define BOOT_FLAG_OFF		0x1fe
#define HDR_MAGIC_OFF		0x202
#define HDR_MAGIC		0x53726448	/* "HdrS" */
#define LINUX_MIN_VERSION	0x020c		/* xloadflags, 64-bit entry */
#define LINUX_ENTRY64_OFF	0x200

static u32 get_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u16 get_le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

int linux__parse(const u8 *buf, size_t len, struct linux_image *img)
{
	struct setup_header hdr;
	unsigned int setup_sects;

	if (len < 0x300)
		return -ENOEXEC;
	if (get_le16(buf + BOOT_FLAG_OFF) != 0xaa55 ||
	    get_le32(buf + HDR_MAGIC_OFF) != HDR_MAGIC)
		return -ENOEXEC;
	memcpy(&hdr, buf + SETUP_HDR_OFF, sizeof(hdr));
	if (hdr.version < LINUX_MIN_VERSION)
		return -EPROTO;
	if (!(hdr.xloadflags & XLF_KERNEL_64))
		return -EPROTO;
	setup_sects = hdr.setup_sects ? hdr.setup_sects : 4;
	img->buf = buf;
	img->len = len;
	img->setup_size = (setup_sects + 1) * 512;
	if (img->setup_size >= len)
		return -ENOEXEC;
	img->version = hdr.version;
	img->init_size = hdr.init_size;
	img->initrd_addr_max = hdr.initrd_addr_max;
	img->cmdline_size = hdr.cmdline_size;
	return 0;
}

int linux__setup(const struct guest_mem *mem, const struct linux_image *img,
		 const char *cmdline, const u8 *initrd, size_t initrd_len,
		 u64 rsdp_gpa, struct vcpu_boot_state *st)
{
	const struct guest_mem_region *low = &mem->regions[0];
	u64 kernel_len = img->len - img->setup_size;
	u64 kernel_end = BOOT_HIGH_ADDR + MAX(kernel_len, (u64)img->init_size);
	size_t cmdline_len = strlen(cmdline) + 1;
	size_t hdr_len;
	struct boot_params *bp;
	u8 *dst;
	int n;

	if (kernel_end > low->size)
		return -ENOMEM;
	if (cmdline_len > BOOT_CMDLINE_MAX ||
	    (img->cmdline_size && cmdline_len > img->cmdline_size + 1ULL))
		return -E2BIG;

	dst = guest_mem__ptr(mem, BOOT_HIGH_ADDR, kernel_len);
	if (!dst)
		return -ENOMEM;
	memcpy(dst, img->buf + img->setup_size, kernel_len);

	bp = guest_mem__ptr(mem, BOOT_ZERO_PAGE_ADDR, sizeof(*bp));
	if (!bp)
		return -ENOMEM;
	memset(bp, 0, sizeof(*bp));
	/* The setup header ends where its jump instruction says. */
	hdr_len = 0x202 + img->buf[0x201] - SETUP_HDR_OFF;
	memcpy(&bp->hdr, img->buf + SETUP_HDR_OFF, MIN(hdr_len, sizeof(bp->hdr)));
	bp->hdr.type_of_loader = 0xff;
	bp->hdr.loadflags |= CAN_USE_HEAP;
	bp->hdr.heap_end_ptr = 0xfe00;
	bp->hdr.vid_mode = 0xffff;
	bp->hdr.code32_start = BOOT_HIGH_ADDR;

	dst = guest_mem__ptr(mem, BOOT_CMDLINE_ADDR, cmdline_len);
	if (!dst)
		return -ENOMEM;
	memcpy(dst, cmdline, cmdline_len);
	bp->hdr.cmd_line_ptr = BOOT_CMDLINE_ADDR;

	if (initrd && initrd_len) {
		u64 top = MIN((u64)img->initrd_addr_max + 1, low->size);
		u64 addr;

		if (initrd_len > top)
			return -ENOMEM;
		addr = ALIGN_DOWN(top - initrd_len, SZ_4K);
		if (addr < ALIGN_UP(kernel_end, SZ_4K))
			return -ENOMEM;
		dst = guest_mem__ptr(mem, addr, initrd_len);
		if (!dst)
			return -ENOMEM;
		memcpy(dst, initrd, initrd_len);
		bp->hdr.ramdisk_image = (u32)addr;
		bp->hdr.ramdisk_size = (u32)initrd_len;
	}

	n = e820__build(mem, bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE);
	if (n < 0)
		return n;
	bp->e820_entries = (u8)n;
	bp->acpi_rsdp_addr = rsdp_gpa;

	st->rip = BOOT_HIGH_ADDR + LINUX_ENTRY64_OFF;
	st->rsi = BOOT_ZERO_PAGE_ADDR;
	st->rdi = 0;
	st->rsp = 0;
	return 0;
}
