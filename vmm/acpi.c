// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI tables for Linux guests (pure: no I/O, no globals).
 *
 *   RSDP (ACPI 2.0+) -> XSDT -> FADT (rev 6.4, HW_REDUCED_ACPI) -> DSDT
 *                            -> MADT (LAPICs, IOAPIC, IRQ0 -> GSI2, LINT1 NMI)
 *                            -> MCFG (ECAM window; optional)
 *                            -> VIOT (virtio-iommu topology; optional)
 *
 * The DSDT holds \_S5 and, when configured, \_SB.COM1 and \_SB.PCI0.
 * Field offsets follow the ACPI 6.4 specification (section 5.2); a
 * _Static_assert next to every structure pins it there.
 *
 * This file assembles the set; each other vmm/acpi*.c file has one job:
 *   acpi-config.c	checks the configuration before anything is written
 *   acpi-table.c	buffer allocator, table headers, checksums
 *   acpi-aml.c		AML encoder: terms (API in acpi-aml.h)
 *   acpi-aml-res.c	AML encoder: resource templates
 *   acpi-dsdt.c	the DSDT's contents
 *   acpi-fadt.c, acpi-madt.c, acpi-mcfg.c, acpi-viot.c: one table each
 *   acpi-check.c	reading tables back (tests, debug)
 * acpi-priv.h holds what they share.
 *
 * What vsva must emulate to go with these tables:
 *  - the sleep control register, System I/O at cfg->sleep_ctl_port (0x600),
 *    one byte: a write with SLP_EN (bit 5) set and SLP_TYP (bits 4:2) = 5,
 *    i.e. 0x34 from Linux, is the guest powering off (acpi__sleep_ctl_is_s5()
 *    decides).  Other writes are ignored, reads return 0;
 *  - the sleep status register at cfg->sleep_sts_port (0x601), one byte:
 *    Linux writes 0x80 (WAK_STS, write-1-to-clear) before sleeping; reads
 *    return 0, writes are ignored.  Linux only registers ACPI power-off
 *    when both registers exist;
 *  - optionally the reset register (cfg->reset_port/reset_value, e.g.
 *    0xCF9 <- 0x06): Linux's first reboot method;
 *  - the interrupt wiring the MADT states: KVM's in-kernel irqchip (dual
 *    8259 + IOAPIC with 24 pins at GSI 0..23), ISA IRQ 0 on GSI 2, other
 *    ISA IRQs on their own GSI, LAPIC ID n for vCPU n (KVM's default);
 *  - with an MCFG: ECAM at cfg->ecam.base for the root bridge's buses,
 *    reserved in the e820 map (Linux ignores an unreserved window);
 *  - with a VIOT: the virtio-iommu at cfg->viot.iommu_bdf, taking endpoint
 *    ID = BDF for every listed function and translating only those;
 *  - nothing else: hardware-reduced ACPI has no SCI, PM1 blocks, PM timer,
 *    GPEs or FACS.  Linux then skips the PIT/HPET and the 8259 (it uses
 *    kvm-clock and the LAPIC timer).
 * Placement: the buffer lives in guest RAM in the BIOS area (0xE0000 ..
 * 0xFFFFF), the RSDP at its 16-byte aligned start, so Linux's legacy scan
 * finds it; pass the RSDP address in boot_params.acpi_rsdp_addr as well.
 * That range must not be usable RAM in the e820 map.
 */
#include <errno.h>
#include <string.h>

#include "acpi-priv.h"

#define XSDT_REVISION		1

/*
 * Every table the XSDT lists, in order.  Adding one is a builder in its
 * own file, declared in acpi-priv.h: allocate with acpi__table_alloc(),
 * fill, acpi__table_seal(), set *gpa; or leave *gpa at 0 and return 0 to
 * leave the table out.
 */
typedef int (*acpi_table_fn)(struct acpi_buf *b, const struct acpi_config *cfg,
			     const struct acpi_ctx *ctx, u64 *gpa);

static const acpi_table_fn acpi_xsdt_tables[] = {
	acpi__build_fadt,
	acpi__build_madt,
	acpi__build_mcfg,
	acpi__build_viot,
};

static int acpi__build_xsdt(struct acpi_buf *b, const u64 *entries, size_t n,
			    u64 *gpa)
{
	struct acpi_table_header *x;

	x = acpi__table_alloc(b, "XSDT", sizeof(*x) + n * 8, XSDT_REVISION);
	if (!x)
		return -ENOSPC;
	/* 64-bit entries at offset 36: not naturally aligned, copy bytes */
	memcpy(x + 1, entries, n * 8);
	acpi__table_seal(x);
	*gpa = acpi_buf__gpa(b, x);
	return 0;
}

int acpi__build(u8 *buf, size_t size, u64 buf_gpa,
		const struct acpi_config *cfg, u64 *rsdp_gpa)
{
	struct acpi_buf b = {
		.base = buf,
		.size = MIN(size, (size_t)INT32_MAX),
		.gpa = buf_gpa,
	};
	u64 entries[ARRAY_SIZE(acpi_xsdt_tables)];
	struct acpi_ctx ctx = { 0 };
	struct acpi_rsdp *rsdp;
	size_t i, n = 0;
	u64 xsdt_gpa;
	int ret;

	if (!buf || !cfg || !rsdp_gpa || !IS_ALIGNED(buf_gpa, 16) ||
	    buf_gpa + size < buf_gpa)
		return -EINVAL;
	ret = acpi__check_config(cfg);
	if (ret)
		return ret;

	/* The RSDP first: the buffer start, 16-byte aligned for the scan. */
	rsdp = acpi_buf__alloc(&b, sizeof(*rsdp), 16);
	if (!rsdp)
		return -ENOSPC;

	ret = acpi__build_dsdt(&b, cfg, &ctx.dsdt_gpa);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(acpi_xsdt_tables); i++) {
		u64 gpa = 0;

		ret = acpi_xsdt_tables[i](&b, cfg, &ctx, &gpa);
		if (ret)
			return ret;
		if (gpa)
			entries[n++] = gpa;
	}
	ret = acpi__build_xsdt(&b, entries, n, &xsdt_gpa);
	if (ret)
		return ret;

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, ACPI_OEM_ID, 6);
	rsdp->revision = 2;
	rsdp->rsdt_address = 0;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = xsdt_gpa;
	rsdp->checksum = (u8)-acpi__checksum(rsdp, 20);
	rsdp->ext_checksum = (u8)-acpi__checksum(rsdp, sizeof(*rsdp));

	*rsdp_gpa = acpi_buf__gpa(&b, rsdp);
	return (int)b.used;
}
