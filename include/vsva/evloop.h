/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VSVA_EVLOOP_H
#define VSVA_EVLOOP_H

#include <vsva/vm.h>

int evloop__init(struct vm *vm);
int evloop__start(struct vm *vm);
/* Stop the thread (joins it); entries stay until evloop__exit(). */
void evloop__stop(struct vm *vm);
void evloop__exit(struct vm *vm);

#endif
