/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI tables for Linux guests: RSDP -> XSDT -> FADT (hardware-reduced),
 * MADT, and a DSDT with \_S5 (and, on request, COM1 and the PCI host
 * bridge); on request also MCFG (ECAM) and VIOT (virtio-iommu).  Pure
 * code: no I/O, no globals.  See vmm/acpi.c for what vsva must emulate to
 * go with these tables.
 */
#ifndef VSVA_ACPI_H
#define VSVA_ACPI_H

#include <vsva/types.h>

/*
 * Hardware-reduced sleep control register (ACPI 6.4 section 4.8.3.7):
 * a byte write with SLP_EN set asks for sleep state SLP_TYP.  Our DSDT's
 * \_S5 package says SLP_TYP 5 is S5 (soft off), so Linux's power-off is
 * a write of (5 << 2) | 0x20 = 0x34.  The sleep status register has
 * WAK_STS in bit 7 (Linux writes 0x80 there first to clear it).
 */
#define ACPI_SLP_TYP_SHIFT	2
#define ACPI_SLP_TYP_MASK	0x1c
#define ACPI_SLP_EN		0x20
#define ACPI_WAK_STS		0x80
#define ACPI_S5_SLP_TYP		5

/* A VIOT describes at most this many translated BDFs (256 = one bus). */
#define ACPI_VIOT_MAX_ENDPOINTS	256

struct acpi_config {
	int nr_cpus;		/* 1..255: LAPIC IDs and UIDs 0..nr_cpus-1 */
	u32 lapic_addr;		/* 0xFEE00000 */
	u32 ioapic_addr;	/* 0xFEC00000 */
	u32 ioapic_id;		/* 0..255 */
	u16 sleep_ctl_port;	/* 0x600, byte wide */
	u16 sleep_sts_port;	/* 0x601, byte wide */

	/* Optional: FADT RESET_REG (System I/O, byte); 0 = not advertised. */
	u16 reset_port;		/* e.g. 0xCF9 */
	u8 reset_value;		/* e.g. 0x06 */
	/* false: FADT says "CMOS RTC not present" (ports 0x70/0x71). */
	bool has_cmos_rtc;

	/*
	 * Optional DSDT devices (0 = not described).  In hardware-reduced
	 * mode Linux has no legacy IRQ setup, so the UART only gets its
	 * interrupt when it is described here (PNP0501 with its IRQ).
	 */
	u16 com1_port;		/* 0x3F8 */
	u8 com1_irq;		/* 4 */

	/*
	 * The PCI host bridge (PNP0A03, \_SB.PCI0).  With ACPI enabled an x86
	 * Linux finds PCI buses only through root bridges in the DSDT.  Root
	 * bus windows: memory [mmio_base, +mmio_size), I/O [io_base,
	 * +io_size) (io_size 0 = no I/O window).  No _PRT: INTx is not
	 * described, devices must use MSI/MSI-X.
	 */
	struct {
		bool present;
		u8 bus_start, bus_end;
		u32 io_base, io_size;
		u32 mmio_base, mmio_size;
	} pci;

	/*
	 * Optional MCFG (PCI Firmware 3.3 section 4.1.2): one ECAM window for
	 * segment 0, 1 MiB of configuration space per bus.  @base is where
	 * bus 0's space would be; buses bus_start..bus_end decode at
	 * [base + (bus_start << 20), base + ((bus_end + 1) << 20)).  base 0
	 * = no MCFG.  Needs pci.present with the same bus range.  Linux uses
	 * the window only if it is reserved: e820 type 2 on vsva (see
	 * e820__build()).
	 */
	struct {
		u64 base;
		u8 bus_start, bus_end;
	} ecam;

	/*
	 * Optional VIOT (Virtual I/O Translation Table, virtio-iommu
	 * topology): one virtio-pci IOMMU node for the virtio-iommu at
	 * iommu_bdf, and PCI range nodes that send each BDF in @endpoints to
	 * it, with endpoint ID = BDF (the PCI requester ID, as
	 * virtio/iommu.c numbers endpoints).  Consecutive BDFs share a range
	 * node; BDFs not listed (the host bridge, the IOMMU itself,
	 * opted-out devices) are not translated.  Segment 0, buses inside
	 * pci.bus_start..bus_end; needs pci.present.
	 */
	struct {
		bool present;
		u16 iommu_bdf;
		int nr_endpoints;
		u16 endpoints[ACPI_VIOT_MAX_ENDPOINTS];	/* strictly ascending */
	} viot;
};

/*
 * Writes the RSDP (at @buf, so at @buf_gpa, which must be 16-byte aligned)
 * and every table into @buf, which the guest sees at @buf_gpa.  Sets
 * *@rsdp_gpa.  Returns the bytes used, -ENOSPC if @size is too small, or
 * -EINVAL for a bad configuration.  Writes nothing past @size.
 */
int acpi__build(u8 *buf, size_t size, u64 buf_gpa,
		const struct acpi_config *cfg, u64 *rsdp_gpa);

/* True if a byte written to the sleep control register means power off. */
bool acpi__sleep_ctl_is_s5(u8 value);

/* ---- Checking tables (tests, debug) ---- */

/* Sum of @len bytes, mod 256: 0 for a correct table. */
u8 acpi__checksum(const void *p, size_t len);
/*
 * One system description table at @p, @avail bytes readable: the length
 * field is at least the header and at most @avail, and the checksum over
 * that length is zero.  Returns the length, or -EINVAL.
 */
int acpi__table_check(const void *p, size_t avail);
/* An ACPI 2.0+ RSDP: signature, revision >= 2, length 36, both checksums. */
int acpi__rsdp_check(const void *p, size_t avail);
/*
 * Follows RSDP -> XSDT -> tables (and FADT -> DSDT for "DSDT") inside
 * @buf, which the guest sees at @buf_gpa, checking every table on the way.
 * Returns the first valid table with signature @sig, or NULL.
 */
const void *acpi__find_table(const u8 *buf, size_t size, u64 buf_gpa,
			     u64 rsdp_gpa, const char *sig);

/* ---- For table builders (adding a table: see acpi_xsdt_tables[]) ---- */

#define ACPI_HEADER_SIZE	36

/* A bump allocator over the caller's buffer. */
struct acpi_buf {
	u8 *base;
	size_t size;
	size_t used;
	u64 gpa;		/* guest-physical address of base */
};

/* @len zeroed bytes aligned to @align (power of two), or NULL if full. */
void *acpi_buf__alloc(struct acpi_buf *b, size_t len, size_t align);
u64 acpi_buf__gpa(const struct acpi_buf *b, const void *p);
/*
 * Allocates a table of @len bytes (16-byte aligned) and fills the header:
 * signature, length, revision, vsva's OEM and creator IDs.  NULL if full.
 */
void *acpi__table_alloc(struct acpi_buf *b, const char *sig, size_t len,
			u8 revision);
/* Sets the header's checksum; call when the table is complete. */
void acpi__table_seal(void *table);

#endif
