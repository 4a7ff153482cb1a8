// SPDX-License-Identifier: GPL-2.0
/*
 * selftest-ud2: executes ud2 with no IDT installed, so the #UD escalates to
 * a triple fault the VMM must report as a failure.
 */
#include "console.h"
#include "cpu.h"
#include "fw.h"

int payload__main(const void *fdt)
{
	puts("selftest-ud2: executing ud2");
	ud2();
}
