// SPDX-License-Identifier: GPL-2.0
/*
 * selftest-emufail: executes popcnt, which a KVM that emulates every guest
 * instruction cannot run (KVM_EXIT_INTERNAL_ERROR, emulation failure): vsva
 * must report it (RIP and instruction bytes) and exit 3.  The instruction
 * is built in RAM at run time, so the image itself stays clean for
 * check-insns.sh.  On a KVM with hardware virtualization popcnt simply runs
 * and the payload exits 0.
 */
#include "console.h"
#include "fw.h"
#include "string.h"

static const unsigned char insn[] = {
	0xf3, 0x48, 0x0f, 0xb8, 0xc7,	/* popcnt %rdi, %rax */
	0xc3,				/* ret */
};

static unsigned char code[16] __attribute__((aligned(16)));

int payload__main(const void *fdt)
{
	unsigned long (*fn)(unsigned long);
	unsigned long n;

	memcpy(code, insn, sizeof(insn));
	fn = (unsigned long (*)(unsigned long))(void *)code;
	puts("selftest-emufail: executing popcnt");
	n = fn(0xf0f0);
	printf("selftest-emufail: popcnt ran (%lu): this KVM executes it\n", n);
	return n == 8 ? 0 : 1;
}
