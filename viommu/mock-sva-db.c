// SPDX-License-Identifier: GPL-2.0
/*
 * The mock SVA device's doorbell, decoded (include/vsva/mock-sva.h,
 * docs/mock-sva-device.md).  Pure: no I/O, no globals.
 *
 * Order of the checks: the device must be able to send anything at all
 * (DISABLED; after a Response Failure a PRI function sends nothing until
 * its PRI is reset), then every field must be well formed (BAD), then the group
 * must be one the host can make (UNSUPP), then a PASID-tagged request
 * needs PASID, and execute or privileged requests their PASID controls
 * (DISABLED), as PCIe has it.
 */
#include <vsva/mock-sva.h>
#include <vsva/prq.h>

_Static_assert(MSVA_ACC_READ == IOMMU_PGFAULT_PERM_READ &&
	       MSVA_ACC_WRITE == IOMMU_PGFAULT_PERM_WRITE &&
	       MSVA_ACC_EXEC == IOMMU_PGFAULT_PERM_EXEC &&
	       MSVA_ACC_PRIV == IOMMU_PGFAULT_PERM_PRIV,
	       "DB_ACCESS bits are the host's perm bits");

#define MSVA_PASID_RSVD	(~(MSVA_DB_PASID_VALID | MSVA_DB_PASID_MASK))

enum msva_db_status msva__decode(const struct msva_doorbell *db,
				 const struct msva_enables *en,
				 struct msva_request *req)
{
	bool tagged = db->pasid & MSVA_DB_PASID_VALID;
	u32 pasid = db->pasid & MSVA_DB_PASID_MASK;

	if (!en->ctrl || !en->master || !en->pri || !en->pri_alloc ||
	    en->pri_failed)
		return MSVA_DB_DISABLED;
	if (db->pasid & MSVA_PASID_RSVD)
		return MSVA_DB_BAD;
	/* PASID 0 is the host's "no PASID": a tagged request needs 1+. */
	if (tagged && !pasid)
		return MSVA_DB_BAD;
	if (!tagged && pasid)
		return MSVA_DB_BAD;
	if ((db->access & ~MSVA_ACC_MASK) ||
	    !(db->access & (MSVA_ACC_READ | MSVA_ACC_WRITE)))
		return MSVA_DB_BAD;
	/* Execute and privileged requests exist only with a PASID. */
	if (!tagged && (db->access & (MSVA_ACC_EXEC | MSVA_ACC_PRIV)))
		return MSVA_DB_BAD;
	if (db->addr & 0xfff)
		return MSVA_DB_BAD;
	if (db->group >= MSVA_MAX_PRG)
		return MSVA_DB_BAD;
	if (db->flags & ~MSVA_DB_F_LAST)
		return MSVA_DB_BAD;
	if (!(db->flags & MSVA_DB_F_LAST))
		return MSVA_DB_UNSUPP;
	if (tagged && !en->pasid)
		return MSVA_DB_DISABLED;
	if ((db->access & MSVA_ACC_EXEC) && !en->pasid_exec)
		return MSVA_DB_DISABLED;
	if ((db->access & MSVA_ACC_PRIV) && !en->pasid_priv)
		return MSVA_DB_DISABLED;
	*req = (struct msva_request){
		.pasid = tagged ? pasid : 0,
		.grpid = db->group,
		.perm = db->access,
		.addr = db->addr,
	};
	return MSVA_DB_OK;
}
