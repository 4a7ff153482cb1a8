/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_IRQ_H
#define VSVA_IRQ_H

#include <vsva/vm.h>

int irq__init(struct vm *vm);
void irq__exit(struct vm *vm);

#endif
