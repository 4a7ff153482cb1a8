// SPDX-License-Identifier: GPL-2.0
#include <criterion/criterion.h>

#include <vsva/serial8250.h>

static u8 rd(struct uart_regs *u, unsigned int off)
{
	u8 v = 0, tx[8];
	size_t n = 0;

	serial8250__access(u, off, &v, false, tx, &n);
	return v;
}

static size_t wr(struct uart_regs *u, unsigned int off, u8 v, u8 *tx)
{
	size_t n = 0;

	serial8250__access(u, off, &v, true, tx, &n);
	return n;
}

Test(serial, transmit_and_thre_interrupt)
{
	struct uart_regs u;
	u8 tx[8];

	serial8250__reset(&u);
	cr_assert_eq(rd(&u, 5) & 0x60, 0x60, "THR empty at reset");
	cr_assert_eq(rd(&u, 2) & 1, 1, "no interrupt");
	wr(&u, 4, 0x08, tx);		/* OUT2: interrupt line enabled */
	wr(&u, 1, 0x02, tx);		/* IER: THRI */
	cr_assert(serial8250__irq_pending(&u));
	cr_assert_eq(rd(&u, 2) & 0x0f, 0x02, "THRE interrupt identified");
	cr_assert_not(serial8250__irq_pending(&u), "IIR read acknowledges THRE");
	cr_assert_eq(wr(&u, 0, 'A', tx), 1);
	cr_assert_eq(tx[0], 'A');
	cr_assert(serial8250__irq_pending(&u), "THR empty again after a byte");
}

Test(serial, receive_fifo_and_overrun)
{
	struct uart_regs u;
	u8 tx[8], big[UART_FIFO_SIZE + 3];

	serial8250__reset(&u);
	wr(&u, 4, 0x08, tx);
	wr(&u, 1, 0x01, tx);		/* RDI */
	serial8250__receive(&u, (const u8 *)"hi", 2);
	cr_assert_eq(rd(&u, 2) & 0x0f, 0x04);
	cr_assert_eq(rd(&u, 5) & 1, 1);
	cr_assert_eq(rd(&u, 0), 'h');
	cr_assert_eq(rd(&u, 0), 'i');
	cr_assert_eq(rd(&u, 5) & 1, 0, "data ready clears when empty");
	cr_assert_not(serial8250__irq_pending(&u));
	memset(big, 'x', sizeof(big));
	serial8250__receive(&u, big, sizeof(big));
	cr_assert_eq(serial8250__rx_space(&u), 0);
	cr_assert_eq(rd(&u, 5) & 0x02, 0x02, "overrun reported");
	cr_assert_eq(rd(&u, 5) & 0x02, 0, "and cleared by reading LSR");
}

Test(serial, divisor_latch_and_scratch)
{
	struct uart_regs u;
	u8 tx[8];

	serial8250__reset(&u);
	wr(&u, 3, 0x80, tx);		/* DLAB */
	cr_assert_eq(wr(&u, 0, 1, tx), 0, "DLL write sends nothing");
	wr(&u, 1, 0, tx);
	cr_assert_eq(rd(&u, 0), 1);
	wr(&u, 3, 0x03, tx);
	wr(&u, 7, 0x5a, tx);
	cr_assert_eq(rd(&u, 7), 0x5a);
	cr_assert_eq(rd(&u, 3), 0x03);
}

Test(serial, loopback)
{
	struct uart_regs u;
	u8 tx[8];

	serial8250__reset(&u);
	wr(&u, 4, 0x10 | 0x02, tx);	/* loop, RTS */
	cr_assert_eq(wr(&u, 0, 'z', tx), 0, "nothing leaves in loopback");
	cr_assert_eq(rd(&u, 0), 'z');
	cr_assert_eq(rd(&u, 6) & 0xf0, 0x10, "RTS loops to CTS");
	wr(&u, 2, 0x01, tx);		/* FIFO on */
	cr_assert_eq(rd(&u, 2) & 0xc0, 0xc0, "16550A FIFO bits");
}
