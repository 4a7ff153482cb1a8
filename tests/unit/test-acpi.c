// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI table builder tests.  The tables are read back with raw byte offsets
 * from the ACPI 6.4 specification and an AML walker written here, not with
 * the builder's own structures, so a wrong layout shows up as a failure.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include <vsva/acpi.h>

#define BIOS_GPA	0xe0000ULL
#define BIOS_SIZE	0x20000

static u8 buf[BIOS_SIZE];

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 rd64(const u8 *p)
{
	return (u64)rd32(p) | (u64)rd32(p + 4) << 32;
}

static u8 sum8(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s = (u8)(s + *p++);
	return s;
}

/* vsva's machine: what the lead wires up for a Linux guest. */
static struct acpi_config machine(int nr_cpus)
{
	struct acpi_config cfg = {
		.nr_cpus = nr_cpus,
		.lapic_addr = 0xfee00000,
		.ioapic_addr = 0xfec00000,
		.ioapic_id = 0,
		.sleep_ctl_port = 0x600,
		.sleep_sts_port = 0x601,
		.com1_port = 0x3f8,
		.com1_irq = 4,
		.pci = {
			.present = true,
			.bus_start = 0,
			.bus_end = 0,
			.io_base = 0xc000,
			.io_size = 0x4000,
			.mmio_base = 0xc0000000,
			.mmio_size = 0x20000000,
		},
	};

	return cfg;
}

/* Only what the brief requires: no COM1, no PCI, no reset register. */
static struct acpi_config minimal(int nr_cpus)
{
	struct acpi_config cfg = {
		.nr_cpus = nr_cpus,
		.lapic_addr = 0xfee00000,
		.ioapic_addr = 0xfec00000,
		.ioapic_id = 0,
		.sleep_ctl_port = 0x600,
		.sleep_sts_port = 0x601,
	};

	return cfg;
}

/*
 * machine() with what `vsva run --viommu on` adds: the ECAM window (MCFG)
 * and a virtio-iommu at 00:04.0 translating 00:01.0, 00:02.0, 00:03.0.
 */
static struct acpi_config pc(int nr_cpus)
{
	struct acpi_config cfg = machine(nr_cpus);

	cfg.ecam.base = 0xe0000000;
	cfg.viot.present = true;
	cfg.viot.iommu_bdf = 4 << 3;
	cfg.viot.nr_endpoints = 3;
	cfg.viot.endpoints[0] = 1 << 3;
	cfg.viot.endpoints[1] = 2 << 3;
	cfg.viot.endpoints[2] = 3 << 3;
	return cfg;
}

struct built {
	u64 gpa;		/* where the buffer sits in the guest */
	u64 rsdp;
	int used;
};

static struct built build_at(const struct acpi_config *cfg, u64 gpa)
{
	struct built b = { .gpa = gpa };

	memset(buf, 0xa5, sizeof(buf));
	b.used = acpi__build(buf, sizeof(buf), gpa, cfg, &b.rsdp);
	cr_assert_gt(b.used, 0, "acpi__build: %d", b.used);
	cr_assert_leq(b.used, (int)sizeof(buf));
	return b;
}

static struct built build(const struct acpi_config *cfg)
{
	return build_at(cfg, BIOS_GPA);
}

/* A table at @gpa that lies inside the used part of the buffer. */
static const u8 *table_at(const struct built *b, u64 gpa, const char *sig)
{
	const u8 *t;
	u32 len;

	cr_assert_geq(gpa, b->gpa, "%s GPA %#llx below the buffer", sig,
		      (unsigned long long)gpa);
	cr_assert_lt(gpa - b->gpa, (u64)b->used, "%s GPA %#llx past the tables",
		     sig, (unsigned long long)gpa);
	t = buf + (gpa - b->gpa);
	cr_assert_eq(memcmp(t, sig, 4), 0, "expected %s at %#llx, found %.4s",
		     sig, (unsigned long long)gpa, (const char *)t);
	len = rd32(t + 4);
	cr_assert_geq(len, 36u, "%s length %u", sig, len);
	cr_assert_leq(gpa - b->gpa + len, (u64)b->used, "%s overruns", sig);
	cr_assert_eq(sum8(t, len), 0, "%s checksum", sig);
	cr_assert_eq(memcmp(t + 10, "VSVA  ", 6), 0, "%s OEM ID", sig);
	return t;
}

static const u8 *rsdp_of(const struct built *b)
{
	cr_assert_eq(b->rsdp % 16, 0, "RSDP must be 16-byte aligned");
	cr_assert_geq(b->rsdp, b->gpa);
	cr_assert_leq(b->rsdp - b->gpa + 36, (u64)b->used);
	return buf + (b->rsdp - b->gpa);
}

static const u8 *xsdt_of(const struct built *b)
{
	return table_at(b, rd64(rsdp_of(b) + 24), "XSDT");
}

/* The table the XSDT lists with @sig; fails if absent or listed twice. */
static const u8 *xsdt_find(const struct built *b, const char *sig)
{
	const u8 *x = xsdt_of(b), *found = NULL;
	u32 i, n = (rd32(x + 4) - 36) / 8;

	for (i = 0; i < n; i++) {
		u64 gpa = rd64(x + 36 + 8 * i);
		const u8 *t = buf + (gpa - b->gpa);

		if (gpa >= b->gpa && gpa - b->gpa < (u64)b->used &&
		    !memcmp(t, sig, 4)) {
			cr_assert_null(found, "%s listed twice", sig);
			found = table_at(b, gpa, sig);
		}
	}
	cr_assert_not_null(found, "%s not in the XSDT", sig);
	return found;
}

static const u8 *dsdt_of(const struct built *b)
{
	const u8 *f = xsdt_find(b, "FACP");

	return table_at(b, rd64(f + 140), "DSDT");
}

/* ---- RSDP and XSDT ---- */

Test(acpi, rsdp_revision2_both_checksums)
{
	struct acpi_config cfg = machine(2);
	struct built b = build(&cfg);
	const u8 *r = rsdp_of(&b);

	cr_assert_eq(b.rsdp, BIOS_GPA, "RSDP at the buffer start");
	cr_assert_eq(memcmp(r, "RSD PTR ", 8), 0);
	cr_assert_eq(r[15], 2, "revision");
	cr_assert_eq(rd32(r + 20), 36u, "length");
	cr_assert_eq(sum8(r, 20), 0, "ACPI 1.0 checksum (bytes 0..19)");
	cr_assert_eq(sum8(r, 36), 0, "extended checksum");
	cr_assert_eq(rd32(r + 16), 0u, "no RSDT");
	cr_assert_eq(acpi__rsdp_check(r, 36), 36);
}

/* What Linux does without boot_params.acpi_rsdp_addr: scan 0xE0000.. */
Test(acpi, legacy_scan_finds_rsdp)
{
	struct acpi_config cfg = machine(4);
	struct built b = build(&cfg);
	u64 found = 0, off;

	for (off = 0; off + 36 <= sizeof(buf); off += 16) {
		const u8 *p = buf + off;

		if (!memcmp(p, "RSD PTR ", 8) && !sum8(p, 20) &&
		    (p[15] < 2 || !sum8(p, rd32(p + 20)))) {
			found = BIOS_GPA + off;
			break;
		}
	}
	cr_assert_eq(found, b.rsdp);
}

Test(acpi, xsdt_lists_fadt_and_madt_at_their_gpas)
{
	static const u64 gpas[] = { BIOS_GPA, 0x7654320ULL, 0x123456780ULL };
	struct acpi_config cfg = machine(2);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(gpas); i++) {
		struct built b = build_at(&cfg, gpas[i]);
		const u8 *x = xsdt_of(&b);
		u32 n;

		cr_assert_eq(x[8], 1, "XSDT revision");
		cr_assert_eq((rd32(x + 4) - 36) % 8, 0, "whole 64-bit entries");
		n = (rd32(x + 4) - 36) / 8;
		cr_assert_eq(n, 2, "XSDT has %u entries", n);
		table_at(&b, rd64(x + 36), "FACP");
		table_at(&b, rd64(x + 44), "APIC");
		cr_assert_eq(b.rsdp, gpas[i]);
	}
}

Test(acpi, every_table_checksum_and_length)
{
	struct acpi_config cfgs[] = { machine(1), minimal(3), machine(8),
				      pc(2) };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cfgs); i++) {
		struct built b = build(&cfgs[i]);
		const u8 *x = xsdt_of(&b), *d = dsdt_of(&b);
		u32 j, n = (rd32(x + 4) - 36) / 8;

		for (j = 0; j < n; j++) {
			u64 gpa = rd64(x + 36 + 8 * j);
			const u8 *t = buf + (gpa - b.gpa);

			table_at(&b, gpa, (const char *)t);
			cr_assert_eq(acpi__table_check(t, (size_t)b.used -
						       (gpa - b.gpa)),
				     (int)rd32(t + 4));
		}
		cr_assert_eq(sum8(d, rd32(d + 4)), 0);
		cr_assert_eq(acpi__table_check(d, rd32(d + 4)),
			     (int)rd32(d + 4));
	}
}

/* ---- MADT ---- */

static void check_madt(int nr)
{
	struct acpi_config cfg = machine(nr);
	struct built b;
	const u8 *m, *p, *end;
	int lapics = 0, ioapics = 0, isos = 0, nmis = 0;

	cfg.ioapic_id = 9;
	b = build(&cfg);
	m = xsdt_find(&b, "APIC");
	cr_assert_eq(m[8], 5, "MADT revision");
	cr_assert_eq(rd32(m + 36), 0xfee00000u, "local APIC address");
	cr_assert_eq(rd32(m + 40), 1u, "flags: PCAT_COMPAT only");

	p = m + 44;
	end = m + rd32(m + 4);
	while (p < end) {
		cr_assert_leq(p + 2, end);
		cr_assert_geq(p[1], 2, "entry length");
		cr_assert_leq(p + p[1], end, "entry overruns the MADT");
		switch (p[0]) {
		case 0:		/* Processor Local APIC */
			cr_assert_eq(p[1], 8);
			cr_assert_eq(p[2], lapics, "UID in order");
			cr_assert_eq(p[3], lapics, "APIC ID = vCPU index");
			cr_assert_eq(rd32(p + 4), 1u, "enabled");
			cr_assert_eq(ioapics + isos + nmis, 0,
				     "LAPICs come first");
			lapics++;
			break;
		case 1:		/* I/O APIC */
			cr_assert_eq(p[1], 12);
			cr_assert_eq(p[2], 9, "IOAPIC ID");
			cr_assert_eq(rd32(p + 4), 0xfec00000u);
			cr_assert_eq(rd32(p + 8), 0u, "GSI base");
			ioapics++;
			break;
		case 2:		/* Interrupt Source Override */
			cr_assert_eq(p[1], 10);
			cr_assert_eq(p[2], 0, "bus ISA");
			cr_assert_eq(p[3], 0, "IRQ 0");
			cr_assert_eq(rd32(p + 4), 2u, "-> GSI 2");
			cr_assert_eq(rd16(p + 8), 0x0005,
				     "active high, edge");
			isos++;
			break;
		case 4:		/* Local APIC NMI */
			cr_assert_eq(p[1], 6);
			cr_assert_eq(p[2], 0xff, "all processors");
			cr_assert_eq(p[5], 1, "LINT1");
			nmis++;
			break;
		default:
			cr_assert_fail("unexpected MADT entry type %u", p[0]);
		}
		p += p[1];
	}
	cr_assert_eq(p, end, "entries fill the MADT exactly");
	cr_assert_eq(lapics, nr, "%d LAPIC entries for %d CPUs", lapics, nr);
	cr_assert_eq(ioapics, 1);
	cr_assert_eq(isos, 1);
	cr_assert_eq(nmis, 1);
}

Test(acpi, madt_1_cpu)
{
	check_madt(1);
}

Test(acpi, madt_2_cpus)
{
	check_madt(2);
}

Test(acpi, madt_8_cpus)
{
	check_madt(8);
}

Test(acpi, madt_255_cpus)
{
	check_madt(255);
}

/* ---- FADT ---- */

static void check_gas_io8(const u8 *g, u16 port, const char *what)
{
	cr_assert_eq(g[0], 1, "%s: System I/O", what);
	cr_assert_eq(g[1], 8, "%s: 8 bits", what);
	cr_assert_eq(g[2], 0, "%s: bit offset", what);
	cr_assert_eq(g[3], 1, "%s: byte access", what);
	cr_assert_eq(rd64(g + 4), port, "%s: port", what);
}

Test(acpi, fadt_hw_reduced_sleep_registers)
{
	struct acpi_config cfg = minimal(2);
	struct built b = build(&cfg);
	const u8 *f = xsdt_find(&b, "FACP"), *d = dsdt_of(&b);
	u64 dsdt_gpa = b.gpa + (u64)(d - buf);
	u32 flags = rd32(f + 112);
	u16 iapc = rd16(f + 109);
	int i;

	cr_assert_eq(rd32(f + 4), 276u, "FADT length (ACPI 6.x)");
	cr_assert_eq(f[8], 6, "FADT revision");
	cr_assert_eq(f[131] & 0xf, 4, "minor version");
	cr_assert(flags & (1u << 20), "HW_REDUCED_ACPI");
	cr_assert_not(flags & (1u << 21), "LOW_POWER_S0_IDLE_CAPABLE");
	cr_assert_not(flags & (1u << 10), "no reset register configured");
	cr_assert(iapc & (1u << 2), "VGA not present");
	cr_assert_not(iapc & (1u << 1), "no 8042");
	cr_assert_not(iapc & (1u << 3), "MSI must stay usable");
	cr_assert(iapc & (1u << 5), "no CMOS RTC unless configured");

	cr_assert_eq(rd64(f + 140), dsdt_gpa, "X_DSDT");
	cr_assert_eq(rd32(f + 40), (u32)dsdt_gpa, "DSDT (below 4 GiB)");
	cr_assert_eq(rd32(f + 36), 0u, "no FACS");
	cr_assert_eq(rd64(f + 132), 0u, "no X_FACS");
	cr_assert_eq(rd16(f + 46), 0, "no SCI");
	for (i = 56; i < 88; i += 4)
		cr_assert_eq(rd32(f + i), 0u, "no PM/GPE block at %d", i);
	for (i = 148; i < 244; i++)
		cr_assert_eq(f[i], 0, "X_ blocks unused (byte %d)", i);
	check_gas_io8(f + 244, 0x600, "SLEEP_CONTROL_REG");
	check_gas_io8(f + 256, 0x601, "SLEEP_STATUS_REG");
	cr_assert_eq(memcmp(f + 268, "VSVA", 4), 0, "hypervisor vendor");
}

Test(acpi, fadt_reset_register_and_rtc)
{
	struct acpi_config cfg = machine(1);
	struct built b;
	const u8 *f;

	cfg.reset_port = 0xcf9;
	cfg.reset_value = 0x06;
	cfg.has_cmos_rtc = true;
	cfg.sleep_ctl_port = 0x404;
	cfg.sleep_sts_port = 0x405;
	b = build(&cfg);
	f = xsdt_find(&b, "FACP");
	cr_assert(rd32(f + 112) & (1u << 10), "RESET_REG_SUP");
	check_gas_io8(f + 116, 0xcf9, "RESET_REG");
	cr_assert_eq(f[128], 0x06, "RESET_VALUE");
	cr_assert_not(rd16(f + 109) & (1u << 5), "CMOS RTC present");
	check_gas_io8(f + 244, 0x404, "SLEEP_CONTROL_REG");
	check_gas_io8(f + 256, 0x405, "SLEEP_STATUS_REG");
}

Test(acpi, fadt_dsdt_above_4g)
{
	struct acpi_config cfg = minimal(1);
	struct built b = build_at(&cfg, 0x100000000ULL);
	const u8 *f = xsdt_find(&b, "FACP");

	cr_assert_geq(rd64(f + 140), 0x100000000ULL);
	cr_assert_eq(rd32(f + 40), 0u, "32-bit DSDT field left zero");
	table_at(&b, rd64(f + 140), "DSDT");
}

/* ---- DSDT: an AML walker written for the test ---- */

struct aml_obj {
	enum { OBJ_INT, OBJ_PKG, OBJ_BUF } kind;
	u64 value;			/* OBJ_INT */
	const u8 *data;			/* OBJ_PKG elements, OBJ_BUF bytes */
	size_t len;			/* OBJ_BUF bytes, OBJ_PKG element bytes */
	unsigned int count;		/* OBJ_PKG elements */
};

/* PkgLength at *p; returns the end of the package it measures. */
static const u8 *aml_pkg(const u8 **p, const u8 *end)
{
	const u8 *start = *p;
	unsigned int extra, i;
	u32 len;

	cr_assert_lt(start, end, "PkgLength past the end");
	extra = start[0] >> 6;
	cr_assert_leq(start + 1 + extra, end);
	if (!extra) {
		len = start[0] & 0x3f;
	} else {
		cr_assert_eq(start[0] & 0x30, 0, "PkgLength reserved bits");
		len = start[0] & 0xf;
		for (i = 1; i <= extra; i++)
			len |= (u32)start[i] << (4 + 8 * (i - 1));
	}
	*p = start + 1 + extra;
	cr_assert_geq(len, 1 + extra);
	cr_assert_leq(start + len, end, "package overruns its parent");
	return start + len;
}

static u64 aml_int(const u8 **p, const u8 *end)
{
	const u8 *q = *p;
	unsigned int n, i;
	u64 v = 0;

	cr_assert_lt(q, end);
	switch (q[0]) {
	case 0x00: *p = q + 1; return 0;
	case 0x01: *p = q + 1; return 1;
	case 0xff: *p = q + 1; return ~0ULL;
	case 0x0a: n = 1; break;
	case 0x0b: n = 2; break;
	case 0x0c: n = 4; break;
	case 0x0e: n = 8; break;
	default:
		cr_assert_fail("not an integer: opcode %#x", q[0]);
		return 0;
	}
	cr_assert_leq(q + 1 + n, end);
	for (i = 0; i < n; i++)
		v |= (u64)q[1 + i] << (8 * i);
	*p = q + 1 + n;
	return v;
}

static struct aml_obj aml_data(const u8 **p, const u8 *end)
{
	struct aml_obj o = { .kind = OBJ_INT };
	const u8 *q = *p, *pend;

	cr_assert_lt(q, end);
	if (q[0] == 0x12) {		/* PackageOp */
		q++;
		pend = aml_pkg(&q, end);
		cr_assert_lt(q, pend);
		o.kind = OBJ_PKG;
		o.count = *q++;
		o.data = q;
		o.len = (size_t)(pend - q);
		*p = pend;
	} else if (q[0] == 0x11) {	/* BufferOp */
		q++;
		pend = aml_pkg(&q, end);
		o.kind = OBJ_BUF;
		o.len = aml_int(&q, pend);
		cr_assert_eq(o.len, (size_t)(pend - q),
			     "BufferSize matches the bytes");
		o.data = q;
		*p = pend;
	} else {
		o.value = aml_int(p, end);
	}
	return o;
}

/*
 * Walks a TermList of Name, Scope and Device terms (anything else fails the
 * test: our DSDT has nothing else) and returns the object at @path, e.g.
 * "_S5_" or "_SB_.PCI0._CRS".  Every term is parsed, found or not.
 */
static bool aml_find(const u8 *p, const u8 *end, const char *path,
		     struct aml_obj *out)
{
	bool found = false;

	while (p < end) {
		const u8 *name, *body_end;
		struct aml_obj o;

		if (p[0] == 0x08) {		/* Name */
			cr_assert_leq(p + 5, end);
			name = p + 1;
			p += 5;
			o = aml_data(&p, end);
			if (strlen(path) == 4 && !memcmp(name, path, 4)) {
				cr_assert_not(found, "%.4s defined twice", name);
				*out = o;
				found = true;
			}
			continue;
		}
		if (p[0] == 0x10) {		/* Scope */
			p++;
		} else if (p[0] == 0x5b && p + 1 < end && p[1] == 0x82) {
			p += 2;			/* Device */
		} else {
			cr_assert_fail("unexpected AML opcode %#x", p[0]);
		}
		body_end = aml_pkg(&p, end);
		if (p < body_end && p[0] == '\\')
			p++;
		cr_assert_leq(p + 4, body_end);
		name = p;
		p += 4;
		if (strlen(path) > 5 && path[4] == '.' && !memcmp(name, path, 4))
			found |= aml_find(p, body_end, path + 5, out);
		else
			aml_find(p, body_end, "", out);	/* still parse it */
		p = body_end;
	}
	cr_assert_eq(p, end, "terms end exactly at their package end");
	return found;
}

static struct aml_obj dsdt_get(const struct built *b, const char *path)
{
	const u8 *d = dsdt_of(b);
	struct aml_obj o;

	cr_assert_eq(d[8], 2, "DSDT revision 2 (64-bit integers)");
	cr_assert(aml_find(d + 36, d + rd32(d + 4), path, &o),
		  "%s not in the DSDT", path);
	return o;
}

static bool dsdt_has(const struct built *b, const char *path)
{
	const u8 *d = dsdt_of(b);
	struct aml_obj o;

	return aml_find(d + 36, d + rd32(d + 4), path, &o);
}

Test(acpi, dsdt_s5_package)
{
	struct acpi_config cfgs[] = { minimal(1), machine(4) };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cfgs); i++) {
		struct built b = build(&cfgs[i]);
		struct aml_obj s5 = dsdt_get(&b, "_S5_");
		const u8 *p, *end;
		u64 v[4];
		unsigned int k;

		cr_assert_eq(s5.kind, OBJ_PKG, "_S5 is a Package");
		cr_assert_eq(s5.count, 4);
		p = s5.data;
		end = s5.data + s5.len;
		for (k = 0; k < 4; k++)
			v[k] = aml_int(&p, end);
		cr_assert_eq(p, end, "exactly 4 integers");
		cr_assert_eq(v[0], 5, "SLP_TYPa");
		cr_assert_eq(v[1], 0);
		cr_assert_eq(v[2], 0);
		cr_assert_eq(v[3], 0);
		/* Linux's S5 write, built from the table, powers off */
		cr_assert(acpi__sleep_ctl_is_s5((u8)((v[0] << 2) | 0x20)));
	}
}

Test(acpi, dsdt_minimal_has_only_s5)
{
	struct acpi_config cfg = minimal(2);
	struct built b = build(&cfg);

	cr_assert_not(dsdt_has(&b, "_SB_.COM1._HID"));
	cr_assert_not(dsdt_has(&b, "_SB_.PCI0._HID"));
	dsdt_get(&b, "_S5_");
}

Test(acpi, dsdt_com1)
{
	struct acpi_config cfg = machine(2);
	struct built b = build(&cfg);
	struct aml_obj hid = dsdt_get(&b, "_SB_.COM1._HID");
	struct aml_obj crs = dsdt_get(&b, "_SB_.COM1._CRS");
	const u8 *r = crs.data;

	cr_assert_eq(hid.kind, OBJ_INT);
	cr_assert_eq(hid.value, 0x0105d041, "EISAID PNP0501");
	cr_assert_eq(crs.kind, OBJ_BUF);
	cr_assert_eq(crs.len, 13u);
	/* IO (Decode16, 0x3F8, 0x3F8, 1, 8) */
	cr_assert_eq(r[0], 0x47);
	cr_assert_eq(r[1], 1);
	cr_assert_eq(rd16(r + 2), 0x3f8);
	cr_assert_eq(rd16(r + 4), 0x3f8);
	cr_assert_eq(r[7], 8);
	/* IRQNoFlags () {4} */
	cr_assert_eq(r[8], 0x22);
	cr_assert_eq(rd16(r + 9), 1u << 4);
	cr_assert_eq(r[11], 0x79, "End Tag");
}

static void check_window(const u8 *r, u8 type, u64 min, u64 len)
{
	cr_assert_eq(r[0], 0x87, "DWord address space");
	cr_assert_eq(rd16(r + 1), 23);
	cr_assert_eq(r[3], type);
	cr_assert_eq(r[4], 0x0c, "producer, MinFixed, MaxFixed, PosDecode");
	cr_assert_eq(rd32(r + 6), 0u, "granularity");
	cr_assert_eq(rd32(r + 10), min);
	cr_assert_eq(rd32(r + 14), min + len - 1);
	cr_assert_eq(rd32(r + 22), len);
}

Test(acpi, dsdt_pci_host_bridge)
{
	struct acpi_config cfg = machine(2);
	struct built b = build(&cfg);
	struct aml_obj hid = dsdt_get(&b, "_SB_.PCI0._HID");
	struct aml_obj bbn = dsdt_get(&b, "_SB_.PCI0._BBN");
	struct aml_obj crs = dsdt_get(&b, "_SB_.PCI0._CRS");
	const u8 *r = crs.data;

	cr_assert_eq(hid.value, 0x030ad041, "EISAID PNP0A03");
	cr_assert_eq(bbn.value, 0);
	cr_assert_eq(crs.kind, OBJ_BUF);
	cr_assert_eq(crs.len, 16u + 26 + 26 + 2);
	/* WordBusNumber 0..0 */
	cr_assert_eq(r[0], 0x88);
	cr_assert_eq(rd16(r + 1), 13);
	cr_assert_eq(r[3], 2, "bus number range");
	cr_assert_eq(r[4], 0x0c);
	cr_assert_eq(rd16(r + 8), 0);
	cr_assert_eq(rd16(r + 10), 0);
	cr_assert_eq(rd16(r + 14), 1);
	check_window(r + 16, 1, 0xc000, 0x4000);
	cr_assert_eq(r[16 + 5] & 3, 3, "I/O: entire range");
	check_window(r + 42, 0, 0xc0000000, 0x20000000);
	cr_assert_eq(r[42 + 5], 0x01, "memory: read/write, non-cacheable");
	cr_assert_eq(r[68], 0x79, "End Tag");
}

Test(acpi, dsdt_pci_without_io_window)
{
	struct acpi_config cfg = machine(1);
	struct built b;
	struct aml_obj crs;

	cfg.pci.io_size = 0;
	cfg.pci.bus_end = 3;
	b = build(&cfg);
	crs = dsdt_get(&b, "_SB_.PCI0._CRS");
	cr_assert_eq(crs.len, 16u + 26 + 2);
	cr_assert_eq(rd16(crs.data + 10), 3, "bus max");
	cr_assert_eq(rd16(crs.data + 14), 4, "4 buses");
	check_window(crs.data + 16, 0, 0xc0000000, 0x20000000);
}

/* ---- MCFG ---- */

Test(acpi, mcfg_ecam_window)
{
	struct acpi_config cfg = pc(2);
	struct built b = build(&cfg);
	const u8 *m = xsdt_find(&b, "MCFG");
	int i;

	cr_assert_eq(rd32(m + 4), 44u + 16u, "header, reserved, 1 allocation");
	cr_assert_eq(m[8], 1, "MCFG revision");
	for (i = 36; i < 44; i++)
		cr_assert_eq(m[i], 0, "reserved byte %d", i);
	cr_assert_eq(rd64(m + 44), 0xe0000000ULL, "base address");
	cr_assert_eq(rd16(m + 52), 0, "segment");
	cr_assert_eq(m[54], 0, "start bus");
	cr_assert_eq(m[55], 0, "end bus");
	cr_assert_eq(rd32(m + 56), 0u, "reserved");
	cr_assert_eq(acpi__find_table(buf, (size_t)b.used, b.gpa, b.rsdp,
				      "MCFG"), m);
}

Test(acpi, mcfg_bus_range_follows_the_root_bridge)
{
	struct acpi_config cfg = pc(1);
	struct built b;
	const u8 *m;

	cfg.pci.bus_start = 0;
	cfg.pci.bus_end = 15;
	cfg.ecam.bus_end = 15;
	cfg.ecam.base = 0x80000000;	/* 16 MiB below the MMIO window */
	b = build(&cfg);
	m = xsdt_find(&b, "MCFG");
	cr_assert_eq(rd64(m + 44), 0x80000000ULL);
	cr_assert_eq(m[55], 15);
}

Test(acpi, no_mcfg_no_viot_unless_asked)
{
	struct acpi_config cfg = machine(2);
	struct built b = build(&cfg);

	cr_assert_null(acpi__find_table(buf, (size_t)b.used, b.gpa, b.rsdp,
					"MCFG"));
	cr_assert_null(acpi__find_table(buf, (size_t)b.used, b.gpa, b.rsdp,
					"VIOT"));
}

/* ---- VIOT ---- */

/*
 * What a guest does with the VIOT (the lookup Linux's drivers/acpi/viot.c
 * performs, rewritten here): walk the nodes from node_offset, and for a
 * PCI range that holds @bdf return endpoint_start + bdf - bdf_start and
 * the offset of its output node, which must be a virtio-pci IOMMU node.
 * -1 if no range holds @bdf.  Checks every node's bounds on the way.
 */
static long viot_lookup(const u8 *v, u16 bdf, u32 *iommu_off)
{
	u32 len = rd32(v + 4), off = rd16(v + 38), i, n = rd16(v + 36);
	long found = -1;

	cr_assert_geq(off, 48u, "nodes start after the 48-byte header");
	for (i = 0; i < n; i++) {
		const u8 *node = v + off;

		cr_assert_leq(off + 4, len, "node %u header overruns", i);
		cr_assert_geq(rd16(node + 2), 4, "node %u length", i);
		cr_assert_leq(off + rd16(node + 2), len, "node %u overruns", i);
		if (node[0] == 1) {
			u16 lo = rd16(node + 12), hi = rd16(node + 14);
			u32 out = rd16(node + 16);

			cr_assert_eq(rd16(node + 2), 24, "PCI range length");
			cr_assert_eq(rd16(node + 8), 0, "segment start");
			cr_assert_eq(rd16(node + 10), 0, "segment end");
			cr_assert_leq(lo, hi);
			for (int j = 18; j < 24; j++)
				cr_assert_eq(node[j], 0, "reserved");
			cr_assert_leq(out + 16, len, "output node inside");
			cr_assert_eq(v[out], 3, "output is a virtio-pci IOMMU");
			if (bdf >= lo && bdf <= hi) {
				cr_assert_eq(found, -1, "BDF %#x in two ranges",
					     bdf);
				found = (long)rd32(node + 4) + bdf - lo;
				*iommu_off = out;
			}
		} else {
			cr_assert_eq(node[0], 3, "node type %u", node[0]);
			cr_assert_eq(rd16(node + 2), 16, "virtio-pci length");
		}
		off += rd16(node + 2);
	}
	cr_assert_eq(off, len, "nodes fill the VIOT exactly");
	return found;
}

Test(acpi, viot_layout)
{
	struct acpi_config cfg = pc(2);
	struct built b = build(&cfg);
	const u8 *v = xsdt_find(&b, "VIOT"), *io;
	int i;

	cr_assert_eq(v[8], 0, "VIOT revision");
	cr_assert_eq(rd32(v + 4), 48u + 16u + 3 * 24u);
	cr_assert_eq(rd16(v + 36), 4, "node count: IOMMU + 3 ranges");
	cr_assert_eq(rd16(v + 38), 48, "node offset");
	for (i = 40; i < 48; i++)
		cr_assert_eq(v[i], 0, "reserved byte %d", i);
	io = v + 48;
	cr_assert_eq(io[0], 3, "virtio-pci IOMMU node");
	cr_assert_eq(rd16(io + 2), 16);
	cr_assert_eq(rd16(io + 4), 0, "segment");
	cr_assert_eq(rd16(io + 6), 0x20, "BDF 00:04.0");
	for (i = 8; i < 16; i++)
		cr_assert_eq(io[i], 0, "reserved");
	for (i = 0; i < 3; i++) {
		const u8 *r = v + 64 + 24 * i;
		u16 bdf = (u16)((i + 1) << 3);

		cr_assert_eq(r[0], 1, "PCI range node");
		cr_assert_eq(rd32(r + 4), bdf, "endpoint ID = BDF");
		cr_assert_eq(rd16(r + 12), bdf);
		cr_assert_eq(rd16(r + 14), bdf, "a single BDF");
		cr_assert_eq(rd16(r + 16), 48, "output: the IOMMU node");
	}
}

Test(acpi, viot_translates_exactly_the_listed_bdfs)
{
	struct acpi_config cfg = pc(2);
	struct built b;
	const u8 *v;
	u32 io = 0;
	bool listed[256] = { false };
	int bdf;

	/* 00:01.0, 00:02.0-2, 00:05.0; the IOMMU at 00:04.0; 00:03.0 and
	 * the host bridge opted out */
	cfg.viot.nr_endpoints = 0;
	cfg.viot.endpoints[cfg.viot.nr_endpoints++] = 0x08;
	cfg.viot.endpoints[cfg.viot.nr_endpoints++] = 0x10;
	cfg.viot.endpoints[cfg.viot.nr_endpoints++] = 0x11;
	cfg.viot.endpoints[cfg.viot.nr_endpoints++] = 0x12;
	cfg.viot.endpoints[cfg.viot.nr_endpoints++] = 0x28;
	for (int i = 0; i < cfg.viot.nr_endpoints; i++)
		listed[cfg.viot.endpoints[i]] = true;
	b = build(&cfg);
	v = xsdt_find(&b, "VIOT");
	cr_assert_eq(rd16(v + 36), 4, "00:02.0-2 share one range node");
	for (bdf = 0; bdf < 256; bdf++) {
		long ep = viot_lookup(v, (u16)bdf, &io);

		if (listed[bdf]) {
			cr_assert_eq(ep, bdf, "BDF %#x: endpoint %ld", bdf, ep);
			cr_assert_eq(rd16(v + io + 6), 0x20, "to 00:04.0");
		} else {
			cr_assert_eq(ep, -1, "BDF %#x translated", bdf);
		}
	}
}

Test(acpi, viot_without_endpoints_and_on_a_later_bus)
{
	struct acpi_config cfg = pc(2);
	struct built b;
	const u8 *v;
	u32 io = 0;

	cfg.viot.nr_endpoints = 0;
	b = build(&cfg);
	v = xsdt_find(&b, "VIOT");
	cr_assert_eq(rd32(v + 4), 64u);
	cr_assert_eq(rd16(v + 36), 1, "the IOMMU node alone");
	cr_assert_eq(viot_lookup(v, 0x08, &io), -1);

	cfg = pc(2);
	cfg.ecam.base = 0;
	cfg.pci.bus_start = 1;
	cfg.pci.bus_end = 2;
	cfg.viot.iommu_bdf = 0x100;
	cfg.viot.nr_endpoints = 2;
	cfg.viot.endpoints[0] = 0x1ff;
	cfg.viot.endpoints[1] = 0x200;
	b = build(&cfg);
	v = xsdt_find(&b, "VIOT");
	cr_assert_eq(rd16(v + 36), 2, "01:1f.7 and 02:00.0 are consecutive");
	cr_assert_eq(viot_lookup(v, 0x1ff, &io), 0x1ff);
	cr_assert_eq(viot_lookup(v, 0x200, &io), 0x200);
	cr_assert_eq(viot_lookup(v, 0x100, &io), -1, "not the IOMMU");
}

Test(acpi, viot_full_bus)
{
	struct acpi_config cfg = pc(1);
	struct built b;
	const u8 *v;
	u32 io = 0;
	int i;

	cfg.ecam.base = 0;
	cfg.pci.bus_end = 1;
	cfg.viot.iommu_bdf = 0x100;
	cfg.viot.nr_endpoints = ACPI_VIOT_MAX_ENDPOINTS;
	for (i = 0; i < ACPI_VIOT_MAX_ENDPOINTS; i++)
		cfg.viot.endpoints[i] = (u16)i;
	b = build(&cfg);
	v = xsdt_find(&b, "VIOT");
	cr_assert_eq(rd16(v + 36), 2, "one range for the whole of bus 0");
	for (i = 0; i < 256; i++)
		cr_assert_eq(viot_lookup(v, (u16)i, &io), i);
	cfg.viot.nr_endpoints++;
	cr_assert_eq(acpi__build(buf, sizeof(buf), BIOS_GPA, &cfg, &b.rsdp),
		     -EINVAL, "more than ACPI_VIOT_MAX_ENDPOINTS");
}

Test(acpi, invalid_mcfg_and_viot)
{
	struct acpi_config bad[13];
	u64 rsdp;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		bad[i] = pc(2);
	bad[0].ecam.base = 0xe0080000;		/* not 1 MiB aligned */
	bad[1].ecam.bus_end = 1;		/* root bridge has bus 0 only */
	bad[2].ecam.base = 0xdff00000;		/* overlaps the MMIO window */
	bad[3].pci.present = false;		/* ECAM and VIOT need PCI0 */
	bad[3].viot.present = false;
	bad[4].pci.present = false;
	bad[4].ecam.base = 0;
	bad[5].viot.iommu_bdf = 0x100;		/* bus 1 */
	bad[6].viot.endpoints[1] = 0x20;	/* the IOMMU itself */
	bad[7].viot.endpoints[1] = 0x08;	/* duplicate */
	bad[8].viot.endpoints[2] = 0x09;	/* not ascending */
	bad[9].viot.nr_endpoints = -1;
	bad[10].viot.endpoints[2] = 0x100;	/* bus 1 */
	bad[11].ecam.base = 1ULL << 60;		/* beyond physical memory */
	bad[12].ecam.base = 0xc0000000;		/* the MMIO window's start */
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		cr_assert_eq(acpi__build(buf, sizeof(buf), BIOS_GPA, &bad[i],
					 &rsdp), -EINVAL, "config %zu", i);
}

/* ---- Errors, bounds, determinism ---- */

static void check_enospc(const struct acpi_config *cfgp)
{
	static u8 small[BIOS_SIZE + 64];
	struct acpi_config cfg = *cfgp;
	struct built b = build(&cfg);
	int size;

	for (size = 0; size < b.used; size++) {
		u64 rsdp = 0;
		int i, ret;

		memset(small, 0x5a, sizeof(small));
		ret = acpi__build(small, (size_t)size, BIOS_GPA, &cfg, &rsdp);
		cr_assert_eq(ret, -ENOSPC, "size %d: %d", size, ret);
		for (i = size; i < size + 64; i++)
			cr_assert_eq(small[i], 0x5a,
				     "size %d: wrote byte %d", size, i);
	}
	cr_assert_eq(acpi__build(small, (size_t)b.used, BIOS_GPA, &cfg,
				 &b.rsdp), b.used, "an exact fit works");
}

Test(acpi, enospc_for_every_short_buffer)
{
	struct acpi_config m8 = machine(8), p2 = pc(2);

	check_enospc(&m8);
	check_enospc(&p2);
}

Test(acpi, deterministic_and_nothing_past_used)
{
	static u8 copy[BIOS_SIZE];
	struct acpi_config cfg = machine(3);
	struct built b = build(&cfg);
	int i;

	for (i = b.used; i < BIOS_SIZE; i++)
		cr_assert_eq(buf[i], 0xa5, "byte %d past the tables", i);
	memcpy(copy, buf, (size_t)b.used);
	memset(buf, 0, sizeof(buf));
	cr_assert_eq(acpi__build(buf, sizeof(buf), BIOS_GPA, &cfg, &b.rsdp),
		     b.used);
	cr_assert_eq(memcmp(copy, buf, (size_t)b.used), 0,
		     "same bytes whatever the buffer held");
}

Test(acpi, invalid_configs)
{
	struct acpi_config bad[12];
	u64 rsdp;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		bad[i] = machine(2);
	bad[0].nr_cpus = 0;
	bad[1].nr_cpus = 256;
	bad[2].ioapic_id = 256;
	bad[3].sleep_ctl_port = 0;
	bad[4].sleep_sts_port = bad[4].sleep_ctl_port;
	bad[5].com1_irq = 0;
	bad[6].com1_irq = 16;
	bad[7].pci.bus_start = 2;
	bad[7].pci.bus_end = 1;
	bad[8].pci.mmio_size = 0;
	bad[9].pci.mmio_base = 0xf0000000;	/* runs past 4 GiB */
	bad[10].pci.io_base = 0x0400;		/* covers 0x600 */
	bad[10].pci.io_size = 0x1000;
	bad[11].pci.io_base = 0xf000;		/* runs past 0xFFFF */
	bad[11].pci.io_size = 0x2000;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		cr_assert_eq(acpi__build(buf, sizeof(buf), BIOS_GPA, &bad[i],
					 &rsdp), -EINVAL, "config %zu", i);

	bad[0] = machine(2);
	cr_assert_eq(acpi__build(buf, sizeof(buf), BIOS_GPA + 8, &bad[0],
				 &rsdp), -EINVAL, "unaligned buffer GPA");
	cr_assert_eq(acpi__build(NULL, sizeof(buf), BIOS_GPA, &bad[0], &rsdp),
		     -EINVAL);
	cr_assert_eq(acpi__build(buf, sizeof(buf), BIOS_GPA, NULL, &rsdp),
		     -EINVAL);
	cr_assert_eq(acpi__build(buf, sizeof(buf), BIOS_GPA, &bad[0], NULL),
		     -EINVAL);
}

Test(acpi, sleep_ctl_decoding)
{
	cr_assert(acpi__sleep_ctl_is_s5(0x34), "Linux's S5 write");
	cr_assert(acpi__sleep_ctl_is_s5(0x34 | 0x80 | 0x03),
		  "reserved bits do not matter");
	cr_assert_not(acpi__sleep_ctl_is_s5(0x14), "SLP_EN clear");
	cr_assert_not(acpi__sleep_ctl_is_s5(0x30), "SLP_TYP 4");
	cr_assert_not(acpi__sleep_ctl_is_s5(0x3c), "SLP_TYP 7");
	cr_assert_not(acpi__sleep_ctl_is_s5(0x20), "SLP_TYP 0");
	cr_assert_not(acpi__sleep_ctl_is_s5(0x80), "WAK_STS clear write");
}

Test(acpi, checkers_reject_corruption)
{
	struct acpi_config cfg = machine(2);
	struct built b = build(&cfg);
	u8 *m = (u8 *)xsdt_find(&b, "APIC");
	u8 *r = buf + (b.rsdp - b.gpa);
	u32 len = rd32(m + 4);

	cr_assert_eq(acpi__find_table(buf, (size_t)b.used, b.gpa, b.rsdp,
				      "APIC"), m);
	cr_assert_eq(acpi__find_table(buf, (size_t)b.used, b.gpa, b.rsdp,
				      "DSDT"), dsdt_of(&b));
	cr_assert_null(acpi__find_table(buf, (size_t)b.used, b.gpa, b.rsdp,
					"VIOT"));
	cr_assert_eq(acpi__table_check(m, len - 1), -EINVAL, "truncated");

	m[len - 1] ^= 1;
	cr_assert_eq(acpi__table_check(m, len), -EINVAL, "bad checksum");
	cr_assert_null(acpi__find_table(buf, (size_t)b.used, b.gpa, b.rsdp,
					"APIC"));
	m[len - 1] ^= 1;

	r[16] ^= 1;			/* RSDT address: first checksum */
	cr_assert_eq(acpi__rsdp_check(r, 36), -EINVAL);
	r[16] ^= 1;
	r[33] ^= 1;			/* reserved: extended checksum only */
	cr_assert_eq(acpi__rsdp_check(r, 36), -EINVAL);
	r[33] ^= 1;
	cr_assert_eq(acpi__rsdp_check(r, 36), 36);
}
