/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_SERIAL8250_H
#define VSVA_SERIAL8250_H

#include <vsva/vm.h>

#define UART_FIFO_SIZE	64

/* The register model: pure, unit-tested. */
struct uart_regs {
	u8 ier, iir, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	bool thri_pending;
	u8 rx[UART_FIFO_SIZE];
	unsigned int rx_head, rx_count;
};

void serial8250__reset(struct uart_regs *u);
/* One byte access at register @off; bytes sent are appended to @tx. */
void serial8250__access(struct uart_regs *u, unsigned int off, u8 *val,
			bool is_write, u8 *tx, size_t *n_tx);
void serial8250__receive(struct uart_regs *u, const u8 *buf, size_t len);
bool serial8250__irq_pending(const struct uart_regs *u);
size_t serial8250__rx_space(const struct uart_regs *u);

int serial8250__init(struct vm *vm);

#endif
