// SPDX-License-Identifier: GPL-2.0
/*
 * Polled 8250 output. A missing UART reads as 0xff (THRE set) and a stuck
 * one is given up on after a bounded wait, so output never hangs the guest.
 */
#include "serial.h"
#include "cpu.h"

#define UART_THR	0	/* transmit holding (DLAB = 0) */
#define UART_DLL	0	/* divisor latch low (DLAB = 1) */
#define UART_IER	1
#define UART_DLM	1	/* divisor latch high (DLAB = 1) */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5

#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define MCR_DTR_RTS	0x03
#define LSR_THRE	0x20

#define THRE_SPINS	100000

static u16 serial_port = SERIAL_DEFAULT_PORT;

void serial__init(u16 port)
{
	serial_port = port;
	outb(port + UART_IER, 0);		/* polling only */
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, 1);		/* 115200 baud */
	outb(port + UART_DLM, 0);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0);		/* no FIFO */
	outb(port + UART_MCR, MCR_DTR_RTS);
}

void serial__putc(char c)
{
	for (int i = 0; i < THRE_SPINS; i++) {
		if (inb(serial_port + UART_LSR) & LSR_THRE)
			break;
		cpu_relax();
	}
	outb(serial_port + UART_THR, (u8)c);
}
