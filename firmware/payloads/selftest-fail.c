// SPDX-License-Identifier: GPL-2.0
/* selftest-fail: exits with code 3, to prove exit codes reach the host. */
#include "console.h"
#include "fw.h"

int payload__main(const void *fdt)
{
	puts("selftest-fail: exiting with code 3");
	return 3;
}
