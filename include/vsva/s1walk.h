/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stage-1 (first-stage) I/O page-table walker: translates a device's
 * virtual address through a guest-owned x86-64 page-table tree, as Intel
 * VT-d scalable-mode first-stage translation does for one PASID.
 *
 * Pure code: no I/O, no globals.  The tables are read, and A/D bits written,
 * only through guest_mem__ptr() on single 8-byte entries, so a table pointer
 * outside guest RAM is a fault, never a stray access.  Reentrant; safe to
 * call while the guest edits its tables (A/D updates are compare-and-swap).
 *
 * Rules implemented (see viommu/s1walk.c for the details):
 *  - 4-level (48-bit canonical) and 5-level (57-bit canonical) walks.
 *  - 4 KiB, 2 MiB (PS in a PDE) and 1 GiB (PS in a PDPTE) pages.
 *  - R/W and U/S are ANDed over all levels, XD is ORed.  User requests need
 *    U/S on every level; writes need R/W on every level, except supervisor
 *    writes when S1_F_WPE is clear.  Supervisor requests fault when
 *    S1_F_SRE is clear.  Exec requests fault on an XD page when S1_F_NXE
 *    is set; with NXE clear the XD bit is ignored (not reserved).
 *  - Reserved bits: address bits 51:pa_bits, PS in PML5E/PML4E, bits 29:13
 *    of a 1 GiB leaf, bits 20:13 of a 2 MiB leaf, PS in a PDPTE when
 *    S1_F_NO_1G says 1 GiB pages are not supported.  Bits 62:52 (software
 *    and protection-key bits) and 11:9 are ignored.
 *  - A translation must land in guest RAM (stage 2 covers exactly guest
 *    RAM): the addressed byte outside RAM is S1_FAULT_OUTPUT_ADDR.
 *  - With S1_F_AD, a successful walk sets A in every entry it used and D
 *    in the leaf for a write; with S1_F_EAFE, EA (bit 10) is set wherever
 *    A is.  A faulting walk writes nothing.
 */
#ifndef VSVA_S1WALK_H
#define VSVA_S1WALK_H

#include <vsva/types.h>
#include <vsva/guest-mem.h>

/* Page-table entry bits (CPU format). */
#define S1_PTE_P	BIT_ULL(0)
#define S1_PTE_RW	BIT_ULL(1)
#define S1_PTE_US	BIT_ULL(2)
#define S1_PTE_A	BIT_ULL(5)
#define S1_PTE_D	BIT_ULL(6)
#define S1_PTE_PS	BIT_ULL(7)
#define S1_PTE_EA	BIT_ULL(10)	/* extended accessed (VT-d, EAFE) */
#define S1_PTE_XD	BIT_ULL(63)
#define S1_PTE_ADDR	0x000ffffffffff000ULL	/* bits 51:12 */

/* struct s1_desc.flags: the PASID entry's first-stage controls. */
#define S1_F_SRE	BIT(0)	/* supervisor requests enabled */
#define S1_F_WPE	BIT(1)	/* supervisor writes honour R/W (CR0.WP) */
#define S1_F_NXE	BIT(2)	/* exec requests honour XD */
#define S1_F_EAFE	BIT(3)	/* set EA (bit 10) along with A */
#define S1_F_AD		BIT(4)	/* set A/D bits (normally on) */
#define S1_F_NO_1G	BIT(5)	/* 1 GiB pages unsupported: PS in PDPTE
				   is a reserved-bit fault */

struct s1_desc {
	u64 root_gpa;		/* PML4 (4-level) or PML5 (5-level) table */
	int levels;		/* 4 or 5 */
	u32 flags;		/* S1_F_* */
	int pa_bits;		/* output address width, 32..52; 0 = 52 */
};

struct s1_access {
	u64 addr;		/* input (device virtual) address */
	bool write;
	bool exec;
	bool priv;		/* supervisor request */
};

enum s1_fault {
	S1_OK = 0,
	S1_FAULT_NON_CANONICAL,	/* addr not canonical for the level count */
	S1_FAULT_NOT_PRESENT,	/* P clear */
	S1_FAULT_WRITE,		/* write to a read-only page */
	S1_FAULT_USER,		/* user access to a supervisor page */
	S1_FAULT_SUPERVISOR,	/* supervisor request with SRE clear */
	S1_FAULT_EXEC,		/* exec of an XD page with NXE set */
	S1_FAULT_RESERVED,	/* reserved bit set in an entry */
	S1_FAULT_TABLE_ADDR,	/* a table entry is outside guest RAM */
	S1_FAULT_BAD_ROOT,	/* root misaligned, too wide or not RAM, or
				   levels not 4/5 */
	S1_FAULT_OUTPUT_ADDR,	/* translated address is not guest RAM */
	S1_FAULT_RACE,		/* tables kept changing under the A/D
				   update; retry later (-EAGAIN) */
	S1_FAULT__COUNT
};

struct s1_result {
	u64 gpa;		/* translation of addr (0 on fault) */
	u64 page_size;		/* SZ_4K, SZ_2M or SZ_1G (0 on fault) */
	bool writable;		/* R/W set on every level */
	bool user;		/* U/S set on every level */
	bool nx;		/* NXE set and XD set on some level */
	enum s1_fault fault;
	/*
	 * Level of the entry the walk stopped at (5 PML5E, 4 PML4E, 3 PDPTE,
	 * 2 PDE, 1 PTE): the leaf on success, the offending entry on a
	 * fault; 0 if no entry was examined.  pte_gpa is that entry's GPA
	 * (for S1_FAULT_TABLE_ADDR, the unreadable entry's GPA) and
	 * table_gpa the table it is in.
	 */
	int level;
	u64 pte_gpa;
	u64 table_gpa;
	/*
	 * writable/user/nx combined over the non-leaf entries only (what a
	 * paging-structure cache keeps for the leaf's table); set when the
	 * walk reached a present, valid leaf, whether or not it then faulted.
	 */
	bool upper_writable, upper_user, upper_nx;
};

/*
 * Translate @a through the tables described by @d.  Returns 0 with @r
 * filled in, -EFAULT with r->fault set, or -EAGAIN (S1_FAULT_RACE) if the
 * guest rewrote the walked entries on every one of several attempts.
 */
int s1__walk(const struct guest_mem *mem, const struct s1_desc *d,
	     const struct s1_access *a, struct s1_result *r);

/* Short lower-case name of @f ("not-present", ...); "?" if unknown. */
const char *s1__fault_name(enum s1_fault f);

#endif
