// SPDX-License-Identifier: GPL-2.0
/*
 * The FADT (ACPI 6.4 section 5.2.9), hardware-reduced: no SCI, PM1 blocks,
 * PM timer, GPEs or FACS; it points at the DSDT, names the sleep control
 * and status registers (and the reset register when configured), and
 * says which legacy PC devices are absent.  Also the decoding of what
 * the guest writes to that sleep control register.  Pure: no I/O, no
 * globals.
 */
#include <errno.h>
#include <string.h>

#include "acpi-priv.h"

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

int acpi__build_fadt(struct acpi_buf *b, const struct acpi_config *cfg,
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

/* A byte the guest wrote to the sleep control register named above. */
bool acpi__sleep_ctl_is_s5(u8 value)
{
	return (value & ACPI_SLP_EN) &&
	       ((value & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT) ==
	       ACPI_S5_SLP_TYP;
}
