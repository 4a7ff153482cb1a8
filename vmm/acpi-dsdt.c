// SPDX-License-Identifier: GPL-2.0
/*
 * The DSDT's contents (pure: no I/O, no globals):
 *
 *   Name (\_S5, ...)			always: the soft-off sleep type
 *   Scope (\_SB) {
 *       Device (COM1) { ... }		when cfg->com1_port
 *       Device (PCI0) { ... }		when cfg->pci.present
 *   }
 */
#include <errno.h>

#include "acpi-aml.h"
#include "acpi-priv.h"

#define DSDT_REVISION		2	/* 2+: 64-bit AML integers */

/*
 * Name (_S5, Package (4) { 5, 0, 0, 0 }): S5 is SLP_TYP 5 (section 7.4.2).
 * Linux reads SLP_TYPa from element 0 and writes (5 << 2) | SLP_EN = 0x34
 * to the sleep control register to power off.
 */
static const u8 aml_s5[] = {
	AML_NAME_OP,		/* 0x08 NameOp */
	'_', 'S', '5', '_',	/* NameSeg "_S5_" */
	0x12,			/* PackageOp */
	0x07,			/* PkgLength: 7 bytes, from itself to the end */
	0x04,			/* NumElements: 4 */
	AML_BYTE_PREFIX,	/* 0x0A BytePrefix ... */
	ACPI_S5_SLP_TYP,	/* ... 0x05: SLP_TYPa = 5 */
	AML_ZERO_OP,		/* 0x00 ZeroOp: SLP_TYPb = 0 */
	AML_ZERO_OP,		/* 0x00 ZeroOp: reserved */
	AML_ZERO_OP,		/* 0x00 ZeroOp: reserved */
};

/*
 * Device (COM1) {
 *     Name (_HID, EisaId ("PNP0501"))		16550A-compatible UART
 *     Name (_UID, One)
 *     Name (_CRS, ResourceTemplate () {
 *         IO (Decode16, port, port, 1, 8)
 *         IRQNoFlags () {irq}
 *     })
 * }
 */
static void acpi__dsdt_com1(struct aml *a, const struct acpi_config *cfg)
{
	struct res_template rt = { .n = 0 };
	size_t dev = aml__device_begin(a, "COM1");

	aml__name_eisaid(a, "_HID", "PNP0501");
	aml__name_integer(a, "_UID", 1);
	res__io16(&rt, cfg->com1_port, 8);
	res__irq(&rt, cfg->com1_irq);
	aml__name_resources(a, "_CRS", &rt);
	aml__pkg_end(a, dev);
}

/*
 * Device (PCI0) {
 *     Name (_HID, EisaId ("PNP0A03"))		PCI host bridge
 *     Name (_UID, Zero)
 *     Name (_SEG, Zero)
 *     Name (_BBN, bus_start)
 *     Name (_CRS, ResourceTemplate () {
 *         WordBusNumber (bus_start .. bus_end)
 *         DWordIO (io window)			if io_size
 *         DWordMemory (mmio window, non-cacheable, read/write)
 *     })
 * }
 */
static void acpi__dsdt_pci(struct aml *a, const struct acpi_config *cfg)
{
	struct res_template rt = { .n = 0 };
	size_t dev = aml__device_begin(a, "PCI0");

	aml__name_eisaid(a, "_HID", "PNP0A03");
	aml__name_integer(a, "_UID", 0);
	aml__name_integer(a, "_SEG", 0);
	aml__name_integer(a, "_BBN", cfg->pci.bus_start);
	res__word_bus(&rt, cfg->pci.bus_start, cfg->pci.bus_end);
	if (cfg->pci.io_size)
		res__dword_window(&rt, RES_ADDR_TYPE_IO, RES_IO_ENTIRE_RANGE,
				  cfg->pci.io_base, cfg->pci.io_size);
	res__dword_window(&rt, RES_ADDR_TYPE_MEM, RES_MEM_RW_NONCACHE,
			  cfg->pci.mmio_base, cfg->pci.mmio_size);
	aml__name_resources(a, "_CRS", &rt);
	aml__pkg_end(a, dev);
}

int acpi__build_dsdt(struct acpi_buf *b, const struct acpi_config *cfg,
		     u64 *gpa)
{
	struct aml a = { .b = b };
	struct acpi_table_header *h;
	size_t start;

	h = acpi__table_alloc(b, "DSDT", sizeof(*h), DSDT_REVISION);
	if (!h)
		return -ENOSPC;
	start = (size_t)((u8 *)h - b->base);

	aml__bytes(&a, aml_s5, sizeof(aml_s5));
	if (cfg->com1_port || cfg->pci.present) {
		size_t sb = aml__scope_begin(&a, "_SB_");

		if (cfg->com1_port)
			acpi__dsdt_com1(&a, cfg);
		if (cfg->pci.present)
			acpi__dsdt_pci(&a, cfg);
		aml__pkg_end(&a, sb);
	}
	if (a.err)
		return a.err == -E2BIG ? -EINVAL : a.err;
	if (b->used - start > UINT32_MAX)
		return -EINVAL;

	h->length = (u32)(b->used - start);
	acpi__table_seal(h);
	*gpa = acpi_buf__gpa(b, h);
	return 0;
}
