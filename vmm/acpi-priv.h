/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the ACPI builder (vmm/acpi*.c), shared between its files: vsva's
 * OEM identity, the common table header and the RSDP (ACPI 6.4 section
 * 5.2), and the builders acpi__build() runs.  Other subsystems use
 * <vsva/acpi.h> only.
 */
#ifndef VSVA_ACPI_PRIV_H
#define VSVA_ACPI_PRIV_H

#include <vsva/acpi.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "ACPI tables are little-endian; vsva is x86-64 only");

#define ACPI_OEM_ID		"VSVA  "	/* 6 bytes */
#define ACPI_OEM_TABLE_PREFIX	"VSVA"		/* + signature: 8 bytes */
#define ACPI_OEM_REVISION	1
#define ACPI_CREATOR_ID		"VSVA"
#define ACPI_CREATOR_REVISION	1

/* 5.2.6: the header every system description table starts with. */
struct acpi_table_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __packed;
_Static_assert(sizeof(struct acpi_table_header) == ACPI_HEADER_SIZE, "hdr");

/* 5.2.5.3: Root System Description Pointer, revision 2. */
struct acpi_rsdp {
	char signature[8];		/* "RSD PTR " */
	u8 checksum;			/* over bytes 0..19 */
	char oem_id[6];
	u8 revision;			/* 2 */
	u32 rsdt_address;		/* 0: no RSDT, the XSDT is used */
	u32 length;			/* 36 */
	u64 xsdt_address;
	u8 ext_checksum;		/* over all 36 bytes */
	u8 reserved[3];
} __packed;
_Static_assert(offsetof(struct acpi_rsdp, revision) == 15, "rsdp");
_Static_assert(offsetof(struct acpi_rsdp, length) == 20, "rsdp");
_Static_assert(offsetof(struct acpi_rsdp, xsdt_address) == 24, "rsdp");
_Static_assert(offsetof(struct acpi_rsdp, ext_checksum) == 32, "rsdp");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "rsdp");

/* What the tables built so far tell the builders after them. */
struct acpi_ctx {
	u64 dsdt_gpa;
};

/*
 * The DSDT (acpi-dsdt.c), built before the XSDT's tables because the FADT
 * points at it.
 */
int acpi__build_dsdt(struct acpi_buf *b, const struct acpi_config *cfg,
		     u64 *gpa);

/*
 * The tables the XSDT lists, one file each (acpi-fadt.c, acpi-madt.c,
 * acpi-mcfg.c, acpi-viot.c).  Each allocates its table with
 * acpi__table_alloc(), fills it, seals it and sets *@gpa; or leaves *@gpa
 * at 0 and returns 0 when @cfg leaves the table out.  -ENOSPC if full.
 */
int acpi__build_fadt(struct acpi_buf *b, const struct acpi_config *cfg,
		     const struct acpi_ctx *ctx, u64 *gpa);
int acpi__build_madt(struct acpi_buf *b, const struct acpi_config *cfg,
		     const struct acpi_ctx *ctx, u64 *gpa);
int acpi__build_mcfg(struct acpi_buf *b, const struct acpi_config *cfg,
		     const struct acpi_ctx *ctx, u64 *gpa);
int acpi__build_viot(struct acpi_buf *b, const struct acpi_config *cfg,
		     const struct acpi_ctx *ctx, u64 *gpa);

/* acpi-config.c: 0 if every builder can take @cfg as it is, else -EINVAL. */
int acpi__check_config(const struct acpi_config *cfg);

#endif
