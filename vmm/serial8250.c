// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART at COM1 (0x3F8, IRQ 4) wired to the terminal.  Register
 * model in serial8250__access() is pure; the glue raises the IRQ line and
 * moves bytes to and from the terminal.
 */
#include <pthread.h>
#include <string.h>

#include <vsva/log.h>
#include <vsva/serial8250.h>
#include <vsva/term.h>
#include <vsva/vm.h>

/* registers (offsets from the base) */
#define UART_RX		0	/* in: receive buffer (DLAB=0) */
#define UART_TX		0	/* out: transmit holding (DLAB=0) */
#define UART_DLL	0	/* DLAB=1 */
#define UART_IER	1
#define UART_DLM	1	/* DLAB=1 */
#define UART_IIR	2	/* in */
#define UART_FCR	2	/* out */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_RLSI	0x04
#define IER_MSI		0x08
#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO_BITS	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_OE		0x02
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_DCTS	0x01
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

void serial8250__reset(struct uart_regs *u)
{
	memset(u, 0, sizeof(*u));
	u->iir = IIR_NO_INT;
	u->lsr = LSR_THRE | LSR_TEMT;
	u->msr = MSR_DCD | MSR_DSR | MSR_CTS;
	u->dll = 12;	/* 9600 baud */
}

static bool serial8250__rx_push(struct uart_regs *u, u8 c)
{
	if (u->rx_count == UART_FIFO_SIZE) {
		u->lsr |= LSR_OE;
		return false;
	}
	u->rx[(u->rx_head + u->rx_count) % UART_FIFO_SIZE] = c;
	u->rx_count++;
	u->lsr |= LSR_DR;
	return true;
}

static void serial8250__update_iir(struct uart_regs *u)
{
	u8 iir = IIR_NO_INT;

	if ((u->ier & IER_RDI) && (u->lsr & LSR_DR))
		iir = IIR_RDI;
	else if ((u->ier & IER_THRI) && u->thri_pending)
		iir = IIR_THRI;
	else if ((u->ier & IER_MSI) && (u->msr & 0x0f))
		iir = IIR_MSI;
	if (u->fcr & FCR_ENABLE)
		iir |= IIR_FIFO_BITS;
	u->iir = iir;
}

bool serial8250__irq_pending(const struct uart_regs *u)
{
	/* OUT2 gates the interrupt line on PC hardware. */
	return !(u->iir & IIR_NO_INT) && (u->mcr & MCR_OUT2);
}

size_t serial8250__rx_space(const struct uart_regs *u)
{
	return UART_FIFO_SIZE - u->rx_count;
}

void serial8250__receive(struct uart_regs *u, const u8 *buf, size_t len)
{
	if (u->mcr & MCR_LOOP)
		return;		/* the line is disconnected in loopback */
	for (size_t i = 0; i < len; i++)
		serial8250__rx_push(u, buf[i]);
	serial8250__update_iir(u);
}

void serial8250__access(struct uart_regs *u, unsigned int off, u8 *val,
			bool is_write, u8 *tx, size_t *n_tx)
{
	if (is_write) {
		u8 v = *val;

		switch (off) {
		case UART_TX:
			if (u->lcr & LCR_DLAB) {
				u->dll = v;
				break;
			}
			if (u->mcr & MCR_LOOP)
				serial8250__rx_push(u, v);
			else
				tx[(*n_tx)++] = v;
			/* The byte leaves at once: THR is empty again. */
			u->thri_pending = true;
			break;
		case UART_IER:
			if (u->lcr & LCR_DLAB) {
				u->dlm = v;
				break;
			}
			if ((v & IER_THRI) && !(u->ier & IER_THRI))
				u->thri_pending = true;
			u->ier = v & 0x0f;
			break;
		case UART_FCR:
			u->fcr = v & 0xc9;
			if (v & FCR_CLEAR_RX) {
				u->rx_count = 0;
				u->lsr &= ~LSR_DR;
			}
			break;
		case UART_LCR:
			u->lcr = v;
			break;
		case UART_MCR:
			u->mcr = v & 0x1f;
			break;
		case UART_LSR:
		case UART_MSR:
			break;	/* read-only */
		case UART_SCR:
			u->scr = v;
			break;
		}
	} else {
		switch (off) {
		case UART_RX:
			if (u->lcr & LCR_DLAB) {
				*val = u->dll;
				break;
			}
			*val = 0;
			if (u->rx_count) {
				*val = u->rx[u->rx_head];
				u->rx_head = (u->rx_head + 1) % UART_FIFO_SIZE;
				u->rx_count--;
			}
			if (!u->rx_count)
				u->lsr &= ~LSR_DR;
			break;
		case UART_IER:
			*val = (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
			break;
		case UART_IIR:
			serial8250__update_iir(u);
			*val = u->iir;
			/* Reading IIR acknowledges a THRE interrupt. */
			if ((u->iir & 0x0f) == IIR_THRI)
				u->thri_pending = false;
			break;
		case UART_LCR:
			*val = u->lcr;
			break;
		case UART_MCR:
			*val = u->mcr;
			break;
		case UART_LSR:
			*val = u->lsr;
			u->lsr &= ~LSR_OE;
			break;
		case UART_MSR:
			if (u->mcr & MCR_LOOP) {
				/* Modem outputs loop back to the inputs. */
				*val = ((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
				       ((u->mcr & MCR_DTR) ? MSR_DSR : 0) |
				       ((u->mcr & MCR_OUT1) ? MSR_RI : 0) |
				       ((u->mcr & MCR_OUT2) ? MSR_DCD : 0);
			} else {
				*val = u->msr;
			}
			u->msr &= 0xf0;
			break;
		case UART_SCR:
			*val = u->scr;
			break;
		}
	}
	serial8250__update_iir(u);
}

struct serial8250 {
	struct vm *vm;
	pthread_mutex_t lock;
	struct uart_regs regs;
	u16 port;
	u32 irq;
	int line;	/* level last driven on the IRQ line */
};

static struct serial8250 com1;

static void serial8250__update_irq(struct serial8250 *s)
{
	int level = serial8250__irq_pending(&s->regs);

	if (level != s->line) {
		s->line = level;
		irq__line(s->vm, s->irq, level);
	}
}

static void serial8250__io(struct vcpu *cpu, u64 addr, u8 *data, u32 len,
			   bool is_write, void *opaque)
{
	struct serial8250 *s = opaque;
	u8 tx[8];
	size_t n_tx = 0;

	pthread_mutex_lock(&s->lock);
	/* Wider accesses touch consecutive registers, one byte each. */
	for (u32 i = 0; i < len && addr + i < s->port + 8U; i++)
		serial8250__access(&s->regs, (unsigned int)(addr + i - s->port),
				   &data[i], is_write, tx, &n_tx);
	serial8250__update_irq(s);
	pthread_mutex_unlock(&s->lock);
	if (n_tx)
		term__write(tx, n_tx);
}

static void serial8250__input(void *opaque, const u8 *buf, size_t len)
{
	struct serial8250 *s = opaque;

	pthread_mutex_lock(&s->lock);
	serial8250__receive(&s->regs, buf, len);
	serial8250__update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

int serial8250__init(struct vm *vm)
{
	struct serial8250 *s = &com1;
	int ret;

	s->vm = vm;
	s->port = 0x3f8;
	s->irq = 4;
	pthread_mutex_init(&s->lock, NULL);
	serial8250__reset(&s->regs);
	ret = ioport__register(vm, s->port, 8, serial8250__io, s);
	if (ret)
		return ret;
	return term__init(vm, serial8250__input, s);
}
