/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_VCPU_H
#define VSVA_VCPU_H

#include <vsva/vm.h>

/* Segment selectors the boot code put in the GDT it built. */
struct vcpu_boot_state {
	u64 rip, rsi, rdi, rsp;
	u64 cr3;
	u64 gdt_base;
	u16 gdt_limit;
	u16 cs, ds;
};

int vcpu__create_all(struct vm *vm, int nr);
void vcpu__destroy_all(struct vm *vm);
/* Put the BSP into 64-bit long mode at the given state. */
int vcpu__set_long_mode(struct vcpu *cpu, const struct vcpu_boot_state *st);
int vcpu__start_all(struct vm *vm);
void vcpu__join_all(struct vm *vm);
void vcpu__kick_all(struct vm *vm);

#endif
