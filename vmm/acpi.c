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
 * Field offsets follow the ACPI 6.4 specification (section 5.2); the
 * _Static_asserts below pin every structure to it.
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

#include <vsva/acpi.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "ACPI tables are little-endian; vsva is x86-64 only");

#define ACPI_OEM_ID		"VSVA  "	/* 6 bytes */
#define ACPI_OEM_TABLE_PREFIX	"VSVA"		/* + signature: 8 bytes */
#define ACPI_OEM_REVISION	1
#define ACPI_CREATOR_ID		"VSVA"
#define ACPI_CREATOR_REVISION	1

/* ---- Table layouts (ACPI 6.4) ---- */

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

/* 5.2.3.2: Generic Address Structure. */
struct acpi_gas {
	u8 space_id;			/* 1: System I/O */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;			/* 1: byte */
	u64 address;
} __packed;
_Static_assert(sizeof(struct acpi_gas) == 12, "gas");

#define ACPI_GAS_SYSTEM_IO	1
#define ACPI_GAS_ACCESS_BYTE	1

/* 5.2.9: Fixed ACPI Description Table, revision 6. */
struct acpi_fadt {
	struct acpi_table_header header;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk;
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk;
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk;
	u32 gpe1_blk;
	u8 pm1_evt_len;
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat;
	u16 p_lvl3_lat;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control;
	struct acpi_gas sleep_status;
	u8 hypervisor_vendor_id[8];
} __packed;
_Static_assert(offsetof(struct acpi_fadt, firmware_ctrl) == 36, "fadt");
_Static_assert(offsetof(struct acpi_fadt, dsdt) == 40, "fadt");
_Static_assert(offsetof(struct acpi_fadt, sci_int) == 46, "fadt");
_Static_assert(offsetof(struct acpi_fadt, pm1a_evt_blk) == 56, "fadt");
_Static_assert(offsetof(struct acpi_fadt, pm1_evt_len) == 88, "fadt");
_Static_assert(offsetof(struct acpi_fadt, p_lvl2_lat) == 96, "fadt");
_Static_assert(offsetof(struct acpi_fadt, iapc_boot_arch) == 109, "fadt");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "fadt");
_Static_assert(offsetof(struct acpi_fadt, reset_reg) == 116, "fadt");
_Static_assert(offsetof(struct acpi_fadt, reset_value) == 128, "fadt");
_Static_assert(offsetof(struct acpi_fadt, minor_version) == 131, "fadt");
_Static_assert(offsetof(struct acpi_fadt, x_firmware_ctrl) == 132, "fadt");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "fadt");
_Static_assert(offsetof(struct acpi_fadt, x_pm1a_evt_blk) == 148, "fadt");
_Static_assert(offsetof(struct acpi_fadt, x_gpe1_blk) == 232, "fadt");
_Static_assert(offsetof(struct acpi_fadt, sleep_control) == 244, "fadt");
_Static_assert(offsetof(struct acpi_fadt, sleep_status) == 256, "fadt");
_Static_assert(offsetof(struct acpi_fadt, hypervisor_vendor_id) == 268, "fadt");
_Static_assert(sizeof(struct acpi_fadt) == 276, "fadt");

#define FADT_REVISION		6
#define FADT_MINOR_VERSION	4	/* ACPI 6.4, errata 0 */

/* 5.2.9 Table 5.10: FADT Flags. */
#define FADT_PWR_BUTTON		BIT(4)	/* no fixed-feature power button */
#define FADT_SLP_BUTTON		BIT(5)	/* no fixed-feature sleep button */
#define FADT_RESET_REG_SUP	BIT(10)
#define FADT_HW_REDUCED_ACPI	BIT(20)
/* BIT(21) LOW_POWER_S0_IDLE_CAPABLE stays clear: S5 is our only state. */

/* 5.2.9.3: IA-PC Boot Architecture Flags. */
#define IAPC_LEGACY_DEVICES	BIT(0)	/* clear: no undescribed ISA devices */
#define IAPC_8042		BIT(1)	/* clear: no keyboard controller */
#define IAPC_VGA_NOT_PRESENT	BIT(2)
#define IAPC_MSI_NOT_SUPPORTED	BIT(3)	/* clear: virtio-pci needs MSI-X */
#define IAPC_PCIE_ASPM_CONTROLS	BIT(4)	/* OSPM must not touch ASPM */
#define IAPC_CMOS_RTC_NOT_PRESENT BIT(5)

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
#define ECAM_BUS_SHIFT		20	/* 1 MiB of config space per bus */

/*
 * VIOT, revision 0: the Virtual I/O Translation Table (a separate
 * specification, linked from the ACPI spec's list of reserved table
 * signatures).  After the header: node count, offset of the first node
 * from the table start, 8 reserved bytes.  Every node starts with type, a
 * reserved byte and its length.  Output nodes are named by their offset
 * from the table start.
 */
struct acpi_viot {
	struct acpi_table_header header;
	u16 node_count;
	u16 node_offset;
	u8 reserved[8];
} __packed;
_Static_assert(offsetof(struct acpi_viot, node_count) == 36, "viot");
_Static_assert(offsetof(struct acpi_viot, node_offset) == 38, "viot");
_Static_assert(sizeof(struct acpi_viot) == 48, "viot");

struct acpi_viot_node {
	u8 type;
	u8 reserved;
	u16 length;
} __packed;

/* Type 1: PCI range.  BDFs bdf_start..bdf_end of the segments go to the
 * output node, endpoint IDs from endpoint_start on. */
struct acpi_viot_pci_range {
	struct acpi_viot_node node;
	u32 endpoint_start;
	u16 segment_start;
	u16 segment_end;
	u16 bdf_start;
	u16 bdf_end;
	u16 output_node;
	u8 reserved[6];
} __packed;
_Static_assert(offsetof(struct acpi_viot_pci_range, endpoint_start) == 4,
	       "viot");
_Static_assert(offsetof(struct acpi_viot_pci_range, bdf_start) == 12, "viot");
_Static_assert(offsetof(struct acpi_viot_pci_range, output_node) == 16,
	       "viot");
_Static_assert(sizeof(struct acpi_viot_pci_range) == 24, "viot");

/* Type 3: a virtio-iommu that is a PCI function. */
struct acpi_viot_virtio_pci {
	struct acpi_viot_node node;
	u16 segment;
	u16 bdf;
	u8 reserved[8];
} __packed;
_Static_assert(offsetof(struct acpi_viot_virtio_pci, bdf) == 6, "viot");
_Static_assert(sizeof(struct acpi_viot_virtio_pci) == 16, "viot");

#define VIOT_REVISION		0
#define VIOT_NODE_PCI_RANGE	1
#define VIOT_NODE_VIRTIO_PCI	3

#define XSDT_REVISION		1
#define DSDT_REVISION		2	/* 2+: 64-bit AML integers */

/* ---- The bump allocator and table headers ---- */

void *acpi_buf__alloc(struct acpi_buf *b, size_t len, size_t align)
{
	size_t start;

	if (!align || (align & (align - 1)) || b->used > b->size)
		return NULL;
	start = (b->used + align - 1) & ~(align - 1);
	if (start < b->used || start > b->size || len > b->size - start)
		return NULL;
	/* zero the padding too: the output is fully deterministic */
	memset(b->base + b->used, 0, start + len - b->used);
	b->used = start + len;
	return b->base + start;
}

u64 acpi_buf__gpa(const struct acpi_buf *b, const void *p)
{
	return b->gpa + (u64)((const u8 *)p - b->base);
}

void *acpi__table_alloc(struct acpi_buf *b, const char *sig, size_t len,
			u8 revision)
{
	struct acpi_table_header *h;

	if (len < sizeof(*h) || len > UINT32_MAX)
		return NULL;
	h = acpi_buf__alloc(b, len, 16);
	if (!h)
		return NULL;
	memcpy(h->signature, sig, 4);
	h->length = (u32)len;
	h->revision = revision;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_PREFIX, 4);
	memcpy(h->oem_table_id + 4, sig, 4);
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_revision = ACPI_CREATOR_REVISION;
	return h;
}

u8 acpi__checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum = (u8)(sum + *b++);
	return sum;
}

void acpi__table_seal(void *table)
{
	struct acpi_table_header *h = table;

	h->checksum = 0;
	h->checksum = (u8)-acpi__checksum(h, h->length);
}

/* ---- AML (ACPI 6.4 chapter 20) ---- */

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

/* An AML writer over the table buffer; the first error sticks. */
struct aml {
	struct acpi_buf *b;
	int err;
};

static u8 *aml__room(struct aml *a, size_t n)
{
	u8 *p;

	if (a->err)
		return NULL;
	p = acpi_buf__alloc(a->b, n, 1);
	if (!p)
		a->err = -ENOSPC;
	return p;
}

static void aml__bytes(struct aml *a, const void *src, size_t n)
{
	u8 *p = aml__room(a, n);

	if (p)
		memcpy(p, src, n);
}

static void aml__byte(struct aml *a, u8 v)
{
	aml__bytes(a, &v, 1);
}

static void aml__nameseg(struct aml *a, const char *seg)
{
	aml__bytes(a, seg, 4);
}

/* The shortest ComputationalData encoding of @v (section 20.2.3). */
static void aml__integer(struct aml *a, u64 v)
{
	u8 op;
	size_t n;

	if (v <= 1) {
		aml__byte(a, v ? AML_ONE_OP : AML_ZERO_OP);
		return;
	}
	if (v <= 0xff) {
		op = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		op = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffff) {
		op = AML_DWORD_PREFIX;
		n = 4;
	} else {
		op = AML_QWORD_PREFIX;
		n = 8;
	}
	aml__byte(a, op);
	aml__bytes(a, &v, n);		/* little-endian */
}

/* Where a PkgLength-prefixed body starts; close it with aml__pkg_end(). */
static size_t aml__pkg_begin(struct aml *a)
{
	return a->b->used;
}

/*
 * Inserts the PkgLength (section 20.2.4) in front of the body written
 * since @start.  PkgLength counts its own bytes: one byte up to 63, else
 * a lead byte (bits 7:6 = extra bytes, bits 3:0 = low nibble) and 1..3
 * more bytes holding the rest, least significant first.
 */
static void aml__pkg_end(struct aml *a, size_t start)
{
	static const u32 max_len[] = { 0, 0x3f, 0xfff, 0xfffff, 0xfffffff };
	size_t body, n, i;
	u32 len;
	u8 *p;

	if (a->err)
		return;
	body = a->b->used - start;
	for (n = 1; n <= 4; n++)
		if (body + n <= max_len[n])
			break;
	if (n > 4) {
		a->err = -E2BIG;
		return;
	}
	if (!aml__room(a, n))
		return;
	p = a->b->base + start;
	memmove(p + n, p, body);
	len = (u32)(body + n);
	if (n == 1) {
		p[0] = (u8)len;
		return;
	}
	p[0] = (u8)(((n - 1) << 6) | (len & 0xf));
	for (i = 1; i < n; i++)
		p[i] = (u8)(len >> (4 + 8 * (i - 1)));
}

/* DefScope := ScopeOp PkgLength NameString TermList; returns the start. */
static size_t aml__scope_begin(struct aml *a, const char *root_seg)
{
	size_t start;

	aml__byte(a, AML_SCOPE_OP);
	start = aml__pkg_begin(a);
	aml__byte(a, AML_ROOT_CHAR);	/* "\" */
	aml__nameseg(a, root_seg);
	return start;
}

/* DefDevice := ExtOpPrefix DeviceOp PkgLength NameString TermList */
static size_t aml__device_begin(struct aml *a, const char *seg)
{
	size_t start;

	aml__byte(a, AML_EXT_OP_PREFIX);
	aml__byte(a, AML_EXT_DEVICE_OP);
	start = aml__pkg_begin(a);
	aml__nameseg(a, seg);
	return start;
}

/* Name (seg, v) */
static void aml__name_integer(struct aml *a, const char *seg, u64 v)
{
	aml__byte(a, AML_NAME_OP);
	aml__nameseg(a, seg);
	aml__integer(a, v);
}

/*
 * EISAID ("PNP0A03"): three letters of five bits each ('A' = 1) and four
 * hex digits, stored big-endian in a DWord (section 19.6.35).
 */
static u32 aml__eisaid(const char *id)
{
	u32 v = 0;
	int i;

	for (i = 0; i < 3; i++)
		v = (v << 5) | ((u32)(id[i] - '@') & 0x1f);
	for (i = 3; i < 7; i++) {
		char c = id[i];

		v = (v << 4) | (u32)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return __builtin_bswap32(v);
}

/* Name (_HID, EisaId (id)), always a DWordConst. */
static void aml__name_eisaid(struct aml *a, const char *seg, const char *id)
{
	u32 v = aml__eisaid(id);

	aml__byte(a, AML_NAME_OP);
	aml__nameseg(a, seg);
	aml__byte(a, AML_DWORD_PREFIX);
	aml__bytes(a, &v, 4);
}

/* ---- Resource templates (ACPI 6.4 section 6.4) ---- */

struct res_template {
	u8 d[128];
	size_t n;
	bool overflow;
};

static u8 *res__room(struct res_template *rt, size_t n)
{
	u8 *p;

	if (rt->overflow || n > sizeof(rt->d) - rt->n) {
		rt->overflow = true;
		return NULL;
	}
	p = rt->d + rt->n;
	rt->n += n;
	return p;
}

static void put_le16(u8 *p, u16 v)
{
	memcpy(p, &v, 2);
}

static void put_le32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

/* IO (Decode16, base, base, 1, len): small item 0x08, 7 bytes. */
static void res__io16(struct res_template *rt, u16 base, u8 len)
{
	u8 *p = res__room(rt, 8);

	if (!p)
		return;
	p[0] = 0x47;			/* small item, type 0x08, length 7 */
	p[1] = 0x01;			/* decodes 16 address bits */
	put_le16(p + 2, base);		/* minimum base */
	put_le16(p + 4, base);		/* maximum base */
	p[6] = 1;			/* alignment */
	p[7] = len;			/* length */
}

/* IRQNoFlags () {irq}: small item 0x04, 2 bytes: edge, active high. */
static void res__irq(struct res_template *rt, u8 irq)
{
	u8 *p = res__room(rt, 3);

	if (!p)
		return;
	p[0] = 0x22;			/* small item, type 0x04, length 2 */
	put_le16(p + 1, (u16)(1u << irq));	/* IRQ mask */
}

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

/* WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, ...) */
static void res__word_bus(struct res_template *rt, u8 min, u8 max)
{
	u8 *p = res__room(rt, 16);

	if (!p)
		return;
	p[0] = 0x88;			/* large item: Word Address Space */
	put_le16(p + 1, 13);		/* length of the rest */
	p[3] = RES_ADDR_TYPE_BUS;
	p[4] = RES_ADDR_PRODUCER_FIXED;
	p[5] = 0;			/* type-specific flags */
	put_le16(p + 6, 0);		/* granularity */
	put_le16(p + 8, min);
	put_le16(p + 10, max);
	put_le16(p + 12, 0);		/* translation offset */
	put_le16(p + 14, (u16)(max - min + 1));	/* length */
}

/* DWordIO / DWordMemory (ResourceProducer, MinFixed, MaxFixed, ...) */
static void res__dword_window(struct res_template *rt, u8 type, u8 tflags,
			      u32 base, u32 len)
{
	u8 *p = res__room(rt, 26);

	if (!p)
		return;
	p[0] = 0x87;			/* large item: DWord Address Space */
	put_le16(p + 1, 23);		/* length of the rest */
	p[3] = type;
	p[4] = RES_ADDR_PRODUCER_FIXED;
	p[5] = tflags;
	put_le32(p + 6, 0);		/* granularity: 0 for fixed windows */
	put_le32(p + 10, base);		/* minimum */
	put_le32(p + 14, base + len - 1);	/* maximum */
	put_le32(p + 18, 0);		/* translation offset */
	put_le32(p + 22, len);		/* length */
}

/* Name (seg, ResourceTemplate () {...}): a Buffer ending in an End Tag. */
static void aml__name_resources(struct aml *a, const char *seg,
				struct res_template *rt)
{
	u8 *end = res__room(rt, 2);
	size_t start;

	if (!end) {
		if (!a->err)
			a->err = -E2BIG;
		return;
	}
	end[0] = 0x79;			/* small item: End Tag, length 1 */
	end[1] = 0;			/* checksum 0: "treat as correct" */
	aml__byte(a, AML_NAME_OP);
	aml__nameseg(a, seg);
	aml__byte(a, AML_BUFFER_OP);
	start = aml__pkg_begin(a);
	aml__integer(a, rt->n);		/* BufferSize */
	aml__bytes(a, rt->d, rt->n);
	aml__pkg_end(a, start);
}

/* ---- DSDT ---- */

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

static int acpi__build_dsdt(struct acpi_buf *b, const struct acpi_config *cfg,
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

/* ---- Tables listed in the XSDT ---- */

struct acpi_ctx {
	u64 dsdt_gpa;
};

static struct acpi_gas acpi__gas_io8(u16 port)
{
	struct acpi_gas g = {
		.space_id = ACPI_GAS_SYSTEM_IO,
		.bit_width = 8,
		.bit_offset = 0,
		.access_size = ACPI_GAS_ACCESS_BYTE,
		.address = port,
	};

	return g;
}

static int acpi__build_fadt(struct acpi_buf *b, const struct acpi_config *cfg,
			    const struct acpi_ctx *ctx, u64 *gpa)
{
	struct acpi_fadt *f;

	f = acpi__table_alloc(b, "FACP", sizeof(*f), FADT_REVISION);
	if (!f)
		return -ENOSPC;
	f->minor_version = FADT_MINOR_VERSION;
	/* No FACS: hardware-reduced ACPI does not need one. */
	if (ctx->dsdt_gpa <= UINT32_MAX)
		f->dsdt = (u32)ctx->dsdt_gpa;
	f->x_dsdt = ctx->dsdt_gpa;
	/* No SCI, SMI_CMD, PM1, PM timer or GPE blocks: all zero. */
	f->flags = FADT_HW_REDUCED_ACPI | FADT_PWR_BUTTON | FADT_SLP_BUTTON;
	f->iapc_boot_arch = IAPC_VGA_NOT_PRESENT | IAPC_PCIE_ASPM_CONTROLS;
	if (!cfg->has_cmos_rtc)
		f->iapc_boot_arch |= IAPC_CMOS_RTC_NOT_PRESENT;
	if (cfg->reset_port) {
		f->flags |= FADT_RESET_REG_SUP;
		f->reset_reg = acpi__gas_io8(cfg->reset_port);
		f->reset_value = cfg->reset_value;
	}
	f->sleep_control = acpi__gas_io8(cfg->sleep_ctl_port);
	f->sleep_status = acpi__gas_io8(cfg->sleep_sts_port);
	memcpy(f->hypervisor_vendor_id, "VSVA", 4);
	acpi__table_seal(f);
	*gpa = acpi_buf__gpa(b, f);
	return 0;
}

static int acpi__build_madt(struct acpi_buf *b, const struct acpi_config *cfg,
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

static int acpi__build_mcfg(struct acpi_buf *b, const struct acpi_config *cfg,
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

/* Runs of consecutive BDFs in the (ascending) endpoint list. */
static int acpi__viot_nr_ranges(const struct acpi_config *cfg)
{
	int i, n = 0;

	for (i = 0; i < cfg->viot.nr_endpoints; i++)
		if (!i || cfg->viot.endpoints[i] !=
			  cfg->viot.endpoints[i - 1] + 1)
			n++;
	return n;
}

static int acpi__build_viot(struct acpi_buf *b, const struct acpi_config *cfg,
			    const struct acpi_ctx *ctx __unused, u64 *gpa)
{
	struct acpi_viot_pci_range *r;
	struct acpi_viot_virtio_pci *io;
	struct acpi_viot *v;
	int i, nr_ranges;
	size_t len;

	if (!cfg->viot.present)
		return 0;
	nr_ranges = acpi__viot_nr_ranges(cfg);
	len = sizeof(*v) + sizeof(*io) + (size_t)nr_ranges * sizeof(*r);
	v = acpi__table_alloc(b, "VIOT", len, VIOT_REVISION);
	if (!v)
		return -ENOSPC;
	v->node_count = (u16)(1 + nr_ranges);
	v->node_offset = sizeof(*v);

	/* The IOMMU first: every range names it by this offset. */
	io = (struct acpi_viot_virtio_pci *)(v + 1);
	io->node.type = VIOT_NODE_VIRTIO_PCI;
	io->node.length = sizeof(*io);
	io->segment = 0;
	io->bdf = cfg->viot.iommu_bdf;

	r = (struct acpi_viot_pci_range *)(io + 1);
	for (i = 0; i < cfg->viot.nr_endpoints; i++) {
		u16 bdf = cfg->viot.endpoints[i];

		if (i && bdf == cfg->viot.endpoints[i - 1] + 1) {
			r[-1].bdf_end = bdf;	/* extends the last run */
			continue;
		}
		r->node.type = VIOT_NODE_PCI_RANGE;
		r->node.length = sizeof(*r);
		r->endpoint_start = bdf;	/* endpoint ID = BDF */
		r->segment_start = 0;
		r->segment_end = 0;
		r->bdf_start = bdf;
		r->bdf_end = bdf;
		r->output_node = sizeof(*v);
		r++;
	}
	acpi__table_seal(v);
	*gpa = acpi_buf__gpa(b, v);
	return 0;
}

/*
 * Every table the XSDT lists, in order.  Adding one is a builder here:
 * allocate with acpi__table_alloc(), fill, acpi__table_seal(), set *gpa;
 * or leave *gpa at 0 and return 0 to leave the table out.
 */
typedef int (*acpi_table_fn)(struct acpi_buf *b, const struct acpi_config *cfg,
			     const struct acpi_ctx *ctx, u64 *gpa);

static const acpi_table_fn acpi_xsdt_tables[] = {
	acpi__build_fadt,
	acpi__build_madt,
	acpi__build_mcfg,
	acpi__build_viot,
};

/* ---- RSDP, XSDT, the whole set ---- */

static bool acpi__ranges_overlap(u32 a, u32 alen, u32 b, u32 blen)
{
	return (u64)a < (u64)b + blen && (u64)b < (u64)a + alen;
}

/* BDF @bdf lies on one of the root bridge's buses. */
static bool acpi__bdf_on_root(const struct acpi_config *cfg, u16 bdf)
{
	return (bdf >> 8) >= cfg->pci.bus_start &&
	       (bdf >> 8) <= cfg->pci.bus_end;
}

/* MCFG and VIOT: both describe the root bridge's buses. */
static int acpi__check_pci_tables(const struct acpi_config *cfg)
{
	__typeof__(cfg->ecam) *e = &cfg->ecam;
	__typeof__(cfg->viot) *v = &cfg->viot;
	int i;

	if (e->base) {
		u64 start = e->base + ((u64)e->bus_start << ECAM_BUS_SHIFT);
		u64 end = e->base + ((u64)(e->bus_end + 1) << ECAM_BUS_SHIFT);

		if (!cfg->pci.present || e->base & ((1ULL << ECAM_BUS_SHIFT) - 1) ||
		    e->bus_start != cfg->pci.bus_start ||
		    e->bus_end != cfg->pci.bus_end ||
		    e->base > (1ULL << 52) ||
		    ((u64)cfg->pci.mmio_base < end &&
		     start < (u64)cfg->pci.mmio_base + cfg->pci.mmio_size))
			return -EINVAL;
	}
	if (v->present) {
		if (!cfg->pci.present || !acpi__bdf_on_root(cfg, v->iommu_bdf) ||
		    v->nr_endpoints < 0 ||
		    v->nr_endpoints > ACPI_VIOT_MAX_ENDPOINTS)
			return -EINVAL;
		for (i = 0; i < v->nr_endpoints; i++) {
			u16 bdf = v->endpoints[i];

			if (!acpi__bdf_on_root(cfg, bdf) ||
			    bdf == v->iommu_bdf ||
			    (i && bdf <= v->endpoints[i - 1]))
				return -EINVAL;
		}
	}
	return 0;
}

static int acpi__check_config(const struct acpi_config *cfg)
{
	if (cfg->nr_cpus < 1 || cfg->nr_cpus > 255)	/* 0xFF: broadcast */
		return -EINVAL;
	if (cfg->ioapic_id > 0xff)
		return -EINVAL;
	if (!cfg->sleep_ctl_port || !cfg->sleep_sts_port ||
	    cfg->sleep_ctl_port == cfg->sleep_sts_port)
		return -EINVAL;
	if (cfg->com1_port) {
		if (cfg->com1_irq < 1 || cfg->com1_irq > 15 ||
		    cfg->com1_irq == 2 || cfg->com1_port > 0xfff8)
			return -EINVAL;
	}
	if (cfg->pci.present) {
		const struct { u32 base, len; } io_users[] = {
			{ cfg->sleep_ctl_port, 1 },
			{ cfg->sleep_sts_port, 1 },
			{ cfg->com1_port, cfg->com1_port ? 8 : 0 },
			{ cfg->reset_port, cfg->reset_port ? 1 : 0 },
			{ 0xcf8, 8 },	/* configuration mechanism #1 */
		};
		size_t i;

		if (cfg->pci.bus_start > cfg->pci.bus_end)
			return -EINVAL;
		if (!cfg->pci.mmio_size ||
		    (u64)cfg->pci.mmio_base + cfg->pci.mmio_size > 1ULL << 32)
			return -EINVAL;
		if (cfg->pci.io_size) {
			if ((u64)cfg->pci.io_base + cfg->pci.io_size > 0x10000)
				return -EINVAL;
			for (i = 0; i < ARRAY_SIZE(io_users); i++)
				if (acpi__ranges_overlap(cfg->pci.io_base,
							 cfg->pci.io_size,
							 io_users[i].base,
							 io_users[i].len))
					return -EINVAL;
		}
	}
	return acpi__check_pci_tables(cfg);
}

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

bool acpi__sleep_ctl_is_s5(u8 value)
{
	return (value & ACPI_SLP_EN) &&
	       ((value & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT) ==
	       ACPI_S5_SLP_TYP;
}

/* ---- Checking ---- */

static u32 get_le32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static u64 get_le64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

int acpi__table_check(const void *p, size_t avail)
{
	u32 len;

	if (!p || avail < ACPI_HEADER_SIZE)
		return -EINVAL;
	len = get_le32((const u8 *)p + 4);
	if (len < ACPI_HEADER_SIZE || len > avail || len > INT32_MAX)
		return -EINVAL;
	if (acpi__checksum(p, len))
		return -EINVAL;
	return (int)len;
}

int acpi__rsdp_check(const void *p, size_t avail)
{
	const u8 *r = p;

	if (!r || avail < sizeof(struct acpi_rsdp))
		return -EINVAL;
	if (memcmp(r, "RSD PTR ", 8) || r[15] < 2 ||
	    get_le32(r + 20) != sizeof(struct acpi_rsdp))
		return -EINVAL;
	if (acpi__checksum(r, 20) || acpi__checksum(r, sizeof(struct acpi_rsdp)))
		return -EINVAL;
	return (int)sizeof(struct acpi_rsdp);
}

/* The valid table at @gpa inside the buffer, or NULL. */
static const u8 *acpi__table_at(const u8 *buf, size_t size, u64 buf_gpa,
				u64 gpa)
{
	u64 off;

	if (gpa < buf_gpa || gpa - buf_gpa >= size)
		return NULL;
	off = gpa - buf_gpa;
	if (acpi__table_check(buf + off, size - off) < 0)
		return NULL;
	return buf + off;
}

const void *acpi__find_table(const u8 *buf, size_t size, u64 buf_gpa,
			     u64 rsdp_gpa, const char *sig)
{
	const u8 *rsdp, *xsdt;
	u32 i, n;

	if (!buf || !sig || strlen(sig) != 4 || rsdp_gpa < buf_gpa ||
	    rsdp_gpa - buf_gpa >= size)
		return NULL;
	rsdp = buf + (rsdp_gpa - buf_gpa);
	if (acpi__rsdp_check(rsdp, size - (rsdp_gpa - buf_gpa)) < 0)
		return NULL;
	xsdt = acpi__table_at(buf, size, buf_gpa, get_le64(rsdp + 24));
	if (!xsdt || memcmp(xsdt, "XSDT", 4))
		return NULL;
	if (!memcmp(sig, "XSDT", 4))
		return xsdt;

	n = (get_le32(xsdt + 4) - ACPI_HEADER_SIZE) / 8;
	for (i = 0; i < n; i++) {
		const u8 *t = acpi__table_at(buf, size, buf_gpa,
					     get_le64(xsdt + ACPI_HEADER_SIZE +
						      8 * i));

		if (!t)
			continue;
		if (!memcmp(t, sig, 4))
			return t;
		if (!memcmp(sig, "DSDT", 4) && !memcmp(t, "FACP", 4)) {
			u32 flen = get_le32(t + 4);
			u64 dsdt = flen >= 148 ? get_le64(t + 140) : 0;
			const u8 *d;

			if (!dsdt)
				dsdt = get_le32(t + 40);
			d = acpi__table_at(buf, size, buf_gpa, dsdt);
			if (d && !memcmp(d, "DSDT", 4))
				return d;
		}
	}
	return NULL;
}
