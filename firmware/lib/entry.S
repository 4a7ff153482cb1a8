/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Firmware entry, as vsva's ABI hands over: 64-bit mode, identity map of
 * 0..4 GiB, interrupts off, RSP = 0, RDI = device tree address.
 * Sets up our stack, zeroes .bss, points FS_BASE at a block whose offset
 * 0x28 holds the stack-protector canary (libfdt.a reads %fs:0x28), then
 * calls fw__start(fdt), which does not return.
 */
#define MSR_FS_BASE	0xc0000100
#define STACK_SIZE	0x10000
#define CANARY_SALT	0x5a17c0de9e3779b9

	.section .text.entry, "ax"
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	movq	%rdi, %r12		/* the device tree */

	leaq	__bss_start(%rip), %rdi
	leaq	__bss_end(%rip), %rcx
	subq	%rdi, %rcx
	shrq	$3, %rcx		/* fw.lds 8-aligns .bss */
	xorl	%eax, %eax
	rep stosq

	leaq	fw_stack_top(%rip), %rsp
	xorl	%ebp, %ebp

	leaq	fw_tls(%rip), %rax
	movq	%rax, %rdx
	shrq	$32, %rdx
	movl	$MSR_FS_BASE, %ecx
	wrmsr

	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	movabsq	$CANARY_SALT, %rdx
	xorq	%rdx, %rax
	movq	%rax, %fs:0x28

	movq	%r12, %rdi
	call	fw__start
1:	ud2
	jmp	1b
	.size _start, . - _start

	.section .bss
	.balign 64
fw_tls:				/* %fs points here; 0x28 is used */
	.skip 64
	.balign 16
fw_stack:
	.skip STACK_SIZE
fw_stack_top:

	.section .note.GNU-stack, "", @progbits
