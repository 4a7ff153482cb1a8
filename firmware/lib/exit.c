// SPDX-License-Identifier: GPL-2.0
/* Leaving the VM: normal exit, panic, and the stack protector's failure. */
#include <stdarg.h>

#include "console.h"
#include "cpu.h"
#include "fw.h"

static u16 exit_port = FW_EXIT_DEFAULT_PORT;
static bool panicking;

void fw__set_exit_port(u16 port)
{
	exit_port = port;
}

void fw__exit(int code)
{
	outl(exit_port, (u32)code);
	/* The VMM did not stop us: make it see a failure instead of a hang. */
	ud2();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	if (panicking)
		fw__exit(FW_EXIT_PANIC);
	panicking = true;
	printf("PANIC: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fw__exit(FW_EXIT_PANIC);
}

/* Called by libfdt.a's stack-protector epilogues (canary at %fs:0x28). */
void __stack_chk_fail(void) __attribute__((noreturn));
void __stack_chk_fail(void)
{
	panic("stack smashing detected");
}
