// SPDX-License-Identifier: GPL-2.0
/*
 * The MADT (ACPI 6.4 section 5.2.12): one enabled LAPIC per vCPU, the
 * IOAPIC at GSI 0, ISA IRQ 0 on GSI 2, and LINT1 as NMI on every CPU.
 * Pure: no I/O, no globals.
 */
#include <errno.h>

#include "acpi-priv.h"

/* 5.2.12: Multiple APIC Description Table, revision 5 (ACPI 6.4). */
struct acpi_madt {
	struct acpi_table_header header;
	u32 lapic_addr;
	u32 flags;
} __packed;
_Static_assert(sizeof(struct acpi_madt) == 44, "madt");

#define MADT_REVISION		5
/*
 * PCAT_COMPAT: KVM_CREATE_IRQCHIP does give the guest a dual 8259, so say
 * so (an OS must then mask it before using the APICs).  Linux in
 * hardware-reduced mode ignores the 8259 either way.
 */
#define MADT_PCAT_COMPAT	BIT(0)

#define MADT_TYPE_LAPIC		0
#define MADT_TYPE_IOAPIC	1
#define MADT_TYPE_ISO		2
#define MADT_TYPE_LAPIC_NMI	4

struct acpi_madt_lapic {		/* 5.2.12.2 */
	u8 type;
	u8 length;			/* 8 */
	u8 uid;				/* ACPI processor UID */
	u8 apic_id;
	u32 flags;			/* bit 0: enabled */
} __packed;
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "lapic");

struct acpi_madt_ioapic {		/* 5.2.12.3 */
	u8 type;
	u8 length;			/* 12 */
	u8 id;
	u8 reserved;
	u32 address;
	u32 gsi_base;
} __packed;
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "ioapic");

struct acpi_madt_iso {			/* 5.2.12.5 */
	u8 type;
	u8 length;			/* 10 */
	u8 bus;				/* 0: ISA */
	u8 source;			/* ISA IRQ */
	u32 gsi;
	u16 flags;			/* MPS INTI flags */
} __packed;
_Static_assert(offsetof(struct acpi_madt_iso, flags) == 8, "iso");
_Static_assert(sizeof(struct acpi_madt_iso) == 10, "iso");

struct acpi_madt_lapic_nmi {		/* 5.2.12.7 */
	u8 type;
	u8 length;			/* 6 */
	u8 uid;				/* 0xFF: all processors */
	u16 flags;			/* MPS INTI flags */
	u8 lint;
} __packed;
_Static_assert(offsetof(struct acpi_madt_lapic_nmi, lint) == 5, "nmi");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "nmi");

#define MADT_LAPIC_ENABLED	BIT(0)
/* MPS INTI flags: polarity bits 1:0 (01 active high), trigger 3:2 (01 edge) */
#define MPS_INTI_HIGH_EDGE	0x0005
#define MADT_NMI_ALL_CPUS	0xff

int acpi__build_madt(struct acpi_buf *b, const struct acpi_config *cfg,
		     const struct acpi_ctx *ctx __unused, u64 *gpa)
{
	struct acpi_madt_ioapic *io;
	struct acpi_madt_iso *iso;
	struct acpi_madt_lapic_nmi *nmi;
	struct acpi_madt *m;
	size_t len;
	u8 *p;
	int i;

	len = sizeof(*m) + (size_t)cfg->nr_cpus * sizeof(struct acpi_madt_lapic) +
	      sizeof(*io) + sizeof(*iso) + sizeof(*nmi);
	m = acpi__table_alloc(b, "APIC", len, MADT_REVISION);
	if (!m)
		return -ENOSPC;
	m->lapic_addr = cfg->lapic_addr;
	m->flags = MADT_PCAT_COMPAT;
	p = (u8 *)(m + 1);

	for (i = 0; i < cfg->nr_cpus; i++) {
		struct acpi_madt_lapic *l = (struct acpi_madt_lapic *)p;

		l->type = MADT_TYPE_LAPIC;
		l->length = sizeof(*l);
		l->uid = (u8)i;
		l->apic_id = (u8)i;
		l->flags = MADT_LAPIC_ENABLED;
		p += sizeof(*l);
	}

	io = (struct acpi_madt_ioapic *)p;
	io->type = MADT_TYPE_IOAPIC;
	io->length = sizeof(*io);
	io->id = (u8)cfg->ioapic_id;
	io->address = cfg->ioapic_addr;
	io->gsi_base = 0;
	p += sizeof(*io);

	/* The PC wiring, as vsva's GSI routing does it: ISA IRQ 0 -> GSI 2. */
	iso = (struct acpi_madt_iso *)p;
	iso->type = MADT_TYPE_ISO;
	iso->length = sizeof(*iso);
	iso->bus = 0;
	iso->source = 0;
	iso->gsi = 2;
	iso->flags = MPS_INTI_HIGH_EDGE;
	p += sizeof(*iso);

	nmi = (struct acpi_madt_lapic_nmi *)p;
	nmi->type = MADT_TYPE_LAPIC_NMI;
	nmi->length = sizeof(*nmi);
	nmi->uid = MADT_NMI_ALL_CPUS;
	nmi->flags = MPS_INTI_HIGH_EDGE;
	nmi->lint = 1;

	acpi__table_seal(m);
	*gpa = acpi_buf__gpa(b, m);
	return 0;
}
