/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_IO_H
#define VSVA_IO_H

#include <vsva/vm.h>

struct io_table *io_table__new(const char *name);
void io_table__free(struct io_table *t);
int io_table__add(struct io_table *t, u64 start, u64 len, io_handler_fn fn,
		  void *opaque);
int io_table__del(struct io_table *t, u64 start);
int io_table__move(struct io_table *t, u64 old_start, u64 new_start);
/* Calls the handler covering @addr; false (reads all-ones) if none. */
bool io_table__dispatch(struct io_table *t, struct vcpu *cpu, u64 addr,
			u8 *data, u32 len, bool is_write);

void ioport__unregister(struct vm *vm, u16 port);

#endif
