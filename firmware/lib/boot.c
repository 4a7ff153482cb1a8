// SPDX-License-Identifier: GPL-2.0
/*
 * fw__start(): from the entry code to payload__main(). Reads the console,
 * exit and PCI ports and the RAM layout from the device tree, with the ABI's
 * defaults where the tree says nothing.
 */
#include <libfdt.h>

#include "console.h"
#include "dt.h"
#include "fw.h"
#include "pages.h"
#include "pci.h"
#include "serial.h"
#include "tsc.h"

void fw__start(const void *fdt) __attribute__((noreturn));

static const void *boot_fdt;

const void *fw__fdt(void)
{
	return boot_fdt;
}

static void setup_console(const void *fdt)
{
	int node = dt__stdout_node(fdt);

	serial__init(node < 0 ? SERIAL_DEFAULT_PORT :
		     dt__prop_u32_or(fdt, node, "vsva,port",
				     SERIAL_DEFAULT_PORT));
}

static void setup_memory(const void *fdt)
{
	struct dt_region regions[DT_MAX_REGIONS];
	int n = dt__memory(fdt, regions, DT_MAX_REGIONS);

	if (n <= 0)
		panic("no usable /memory in the device tree (%d)", n);
	pages__init(regions, n, (uintptr_t)__image_end);
	if (!pages__available())
		panic("no free RAM above the firmware image (ends at %p)",
		      __image_end);
}

void fw__start(const void *fdt)
{
	int ret, chosen, pci;

	if ((uintptr_t)fdt < PAGE_SIZE ||
	    (uintptr_t)fdt >= FW_MAPPED_LIMIT - FDT_V17_SIZE)
		panic("device tree address %p is outside mapped RAM", fdt);
	ret = fdt_check_header(fdt);
	if (ret)
		panic("bad device tree at %p: %s", fdt, fdt_strerror(ret));
	if ((uintptr_t)fdt + fdt_totalsize(fdt) > FW_MAPPED_LIMIT)
		panic("device tree at %p runs past mapped RAM", fdt);
	boot_fdt = fdt;
	setup_console(fdt);

	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen >= 0)
		fw__set_exit_port(dt__prop_u32_or(fdt, chosen,
						  "vsva,exit-port",
						  FW_EXIT_DEFAULT_PORT));
	pci = dt__pci_node(fdt);
	if (pci >= 0)
		pci__init(dt__prop_u32_or(fdt, pci, "vsva,port",
					  PCI_DEFAULT_PORT));
	tsc__init();
	setup_memory(fdt);

	fw__exit(payload__main(fdt));
}
