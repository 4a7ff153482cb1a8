/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An AML byte-code encoder (ACPI 6.4 chapter 20) writing into an ACPI
 * table buffer, and the resource templates (section 6.4) it names: just
 * the terms vsva's DSDT needs.  Private to the ACPI builder (vmm/acpi*.c).
 *
 * Writers append at the buffer's end; the first error sticks in aml.err
 * (-ENOSPC: buffer full, -E2BIG: a package or template too long) and
 * turns later writes into no-ops, so a caller checks once at the end.
 */
#ifndef VSVA_ACPI_AML_H
#define VSVA_ACPI_AML_H

#include <vsva/acpi.h>

/* Opcodes and prefixes (section 20.3). */
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_EXT_OP_PREFIX	0x5b
#define AML_EXT_DEVICE_OP	0x82
#define AML_ROOT_CHAR		0x5c

/* An AML writer over the table buffer; the first error sticks. */
struct aml {
	struct acpi_buf *b;
	int err;
};

/* ---- Terms (acpi-aml.c) ---- */

void aml__bytes(struct aml *a, const void *src, size_t n);
void aml__byte(struct aml *a, u8 v);
/* A NameSeg: exactly 4 characters, "_" padded. */
void aml__nameseg(struct aml *a, const char *seg);
/* The shortest ComputationalData encoding of @v (section 20.2.3). */
void aml__integer(struct aml *a, u64 v);
/* Where a PkgLength-prefixed body starts; close it with aml__pkg_end(). */
size_t aml__pkg_begin(struct aml *a);
/* Inserts the PkgLength in front of the body written since @start. */
void aml__pkg_end(struct aml *a, size_t start);
/* Scope (\root_seg) {: returns the start for aml__pkg_end(). */
size_t aml__scope_begin(struct aml *a, const char *root_seg);
/* Device (seg) {: returns the start for aml__pkg_end(). */
size_t aml__device_begin(struct aml *a, const char *seg);
/* Name (seg, v) */
void aml__name_integer(struct aml *a, const char *seg, u64 v);
/* Name (seg, EisaId (id)), always a DWordConst; @id like "PNP0A03". */
void aml__name_eisaid(struct aml *a, const char *seg, const char *id);

/* ---- Resource templates (acpi-aml-res.c) ---- */

/* A template being put together; written out by aml__name_resources(). */
struct res_template {
	u8 d[128];
	size_t n;
	bool overflow;
};

/*
 * Address space descriptor general flags (6.4.3.5.5): bit 3 _MAF, bit 2
 * _MIF, bit 1 _DEC (0 positive), bit 0 (0: producer, a bridge window).
 */
#define RES_ADDR_PRODUCER_FIXED	0x0c
#define RES_ADDR_TYPE_MEM	0
#define RES_ADDR_TYPE_IO	1
#define RES_ADDR_TYPE_BUS	2
#define RES_MEM_RW_NONCACHE	0x01	/* _RW = 1, _MEM = 0 non-cacheable */
#define RES_IO_ENTIRE_RANGE	0x03	/* _RNG = 3: ISA and non-ISA */

/* IO (Decode16, base, base, 1, len) */
void res__io16(struct res_template *rt, u16 base, u8 len);
/* IRQNoFlags () {irq}: edge, active high. */
void res__irq(struct res_template *rt, u8 irq);
/* WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, ...) */
void res__word_bus(struct res_template *rt, u8 min, u8 max);
/*
 * DWordIO / DWordMemory (ResourceProducer, MinFixed, MaxFixed, ...) over
 * [base, base + len): @type RES_ADDR_TYPE_*, @tflags its type-specific
 * flags.
 */
void res__dword_window(struct res_template *rt, u8 type, u8 tflags,
		       u32 base, u32 len);
/*
 * Name (seg, ResourceTemplate () {...}): a Buffer ending in an End Tag.
 * A template that overflowed sets -E2BIG.
 */
void aml__name_resources(struct aml *a, const char *seg,
			 struct res_template *rt);

#endif
