// SPDX-License-Identifier: GPL-2.0
/*
 * Power and reset ports:
 *  - 0x510: firmware exit port; a write of any width ends the run with the
 *    written value as the exit status (& 0xff).
 *  - 0x600/0x601: hardware-reduced ACPI sleep control/status registers;
 *    SLP_EN (bit 5) with SLP_TYP 5 (S5) powers off.
 *  - 0xCF9 (reset control, bit 2) and 0x64 <- 0xFE (keyboard controller
 *    pulse): a reset, which ends the run like QEMU's -no-reboot.
 *  - 0x80: POST code / I/O delay port, ignored.
 */
#include <string.h>

#include <vsva/acpi.h>
#include <vsva/fw-report.h>
#include <vsva/log.h>
#include <vsva/power.h>
#include <vsva/vm.h>

static u32 power__value(const u8 *data, u32 len)
{
	u32 v = 0;

	memcpy(&v, data, MIN(len, 4U));
	return v;
}

static void power__exit_port(struct vcpu *cpu, u64 addr, u8 *data, u32 len,
			     bool is_write, void *opaque)
{
	struct vm *vm = opaque;
	u32 code;

	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	code = power__value(data, len);
	pr_info("firmware exit, code %u", code);
	vm__request_exit(vm, VM_EXIT_POWEROFF, (int)(code & 0xff));
}

static void power__acpi_sleep(struct vcpu *cpu, u64 addr, u8 *data, u32 len,
			      bool is_write, void *opaque)
{
	struct vm *vm = opaque;
	u8 v;

	if (!is_write) {
		/* Sleep status: WAK_STS is never set, nothing pending. */
		memset(data, 0, len);
		return;
	}
	if (addr != VSVA_PORT_ACPI_SLEEP_CTL)
		return;		/* status writes clear bits: nothing to clear */
	v = data[0];
	if (acpi__sleep_ctl_is_s5(v)) {
		pr_info("guest powered off (ACPI S5)");
		vm__request_exit(vm, VM_EXIT_POWEROFF, 0);
	}
}

static void power__reset(struct vcpu *cpu, u64 addr, u8 *data, u32 len,
			 bool is_write, void *opaque)
{
	struct vm *vm = opaque;
	bool reset = false;

	if (!is_write) {
		/* 0x64 status: output buffer empty, input buffer empty. */
		memset(data, 0, len);
		return;
	}
	if (addr == 0xcf9)
		reset = data[0] & 0x4;
	else if (addr == 0x64)
		reset = data[0] == 0xfe;
	if (reset) {
		pr_info("guest requested a reset");
		vm__request_exit(vm, VM_EXIT_RESET, 5);
	}
}

static void power__ignore(struct vcpu *cpu, u64 addr, u8 *data, u32 len,
			  bool is_write, void *opaque)
{
	if (!is_write)
		memset(data, 0xff, len);
}

/* Firmware report port: the GPA of its results structure. */
static void power__report_port(struct vcpu *cpu, u64 addr, u8 *data, u32 len,
			       bool is_write, void *opaque)
{
	struct vm *vm = opaque;
	u32 gpa = 0;

	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	memcpy(&gpa, data, MIN(len, 4U));
	__atomic_store_n(&vm->fw_report_gpa, (u64)gpa, __ATOMIC_RELEASE);
}

int power__init(struct vm *vm)
{
	int ret;

	ret = ioport__register(vm, VSVA_PORT_FW_EXIT, 4, power__exit_port, vm);
	if (!ret)
		ret = ioport__register(vm, VSVA_PORT_ACPI_SLEEP_CTL, 2,
				       power__acpi_sleep, vm);
	if (!ret)
		ret = ioport__register(vm, 0xcf9, 1, power__reset, vm);
	if (!ret)
		ret = ioport__register(vm, 0x64, 1, power__reset, vm);
	if (!ret)
		ret = ioport__register(vm, 0x80, 1, power__ignore, vm);
	if (!ret)
		ret = ioport__register(vm, FW_REPORT_PORT, 4, power__report_port,
				       vm);
	return ret;
}
