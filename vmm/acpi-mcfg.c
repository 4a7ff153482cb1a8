// SPDX-License-Identifier: GPL-2.0
/*
 * The MCFG (PCI Firmware 3.3 section 4.1.2): the ECAM window of segment 0,
 * when cfg->ecam.base is set.  Pure: no I/O, no globals.
 */
#include <errno.h>

#include "acpi-priv.h"

/*
 * PCI Firmware Specification 3.3, 4.1.2: MCFG, revision 1.  A header,
 * 8 reserved bytes, then one allocation structure per ECAM window.
 */
struct acpi_mcfg {
	struct acpi_table_header header;
	u8 reserved[8];
} __packed;
_Static_assert(sizeof(struct acpi_mcfg) == 44, "mcfg");

struct acpi_mcfg_alloc {
	u64 base;			/* bus 0's configuration space */
	u16 segment;
	u8 bus_start;
	u8 bus_end;
	u32 reserved;
} __packed;
_Static_assert(offsetof(struct acpi_mcfg_alloc, segment) == 8, "mcfg");
_Static_assert(offsetof(struct acpi_mcfg_alloc, bus_start) == 10, "mcfg");
_Static_assert(sizeof(struct acpi_mcfg_alloc) == 16, "mcfg");

#define MCFG_REVISION		1

int acpi__build_mcfg(struct acpi_buf *b, const struct acpi_config *cfg,
		     const struct acpi_ctx *ctx __unused, u64 *gpa)
{
	struct acpi_mcfg_alloc *a;
	struct acpi_mcfg *m;

	if (!cfg->ecam.base)
		return 0;
	m = acpi__table_alloc(b, "MCFG", sizeof(*m) + sizeof(*a),
			      MCFG_REVISION);
	if (!m)
		return -ENOSPC;
	a = (struct acpi_mcfg_alloc *)(m + 1);
	a->base = cfg->ecam.base;
	a->segment = 0;
	a->bus_start = cfg->ecam.bus_start;
	a->bus_end = cfg->ecam.bus_end;
	acpi__table_seal(m);
	*gpa = acpi_buf__gpa(b, m);
	return 0;
}
