/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the `iommufd` backend (viommu/backend-iommufd*.c), shared between
 * its files.  Everything else uses <vsva/backend-iommufd.h> only.
 */
#ifndef VSVA_BACKEND_IOMMUFD_PRIV_H
#define VSVA_BACKEND_IOMMUFD_PRIV_H

#include <vsva/backend-iommufd.h>

/* ---- The backend object (backend-iommufd.c) ---- */

/* Count a host call (returns @ret). */
int iommufd_be__ret(struct iommufd_be *be, int ret);
/* The host device of endpoint @ep, NULL if none. */
struct iommufd_be_dev *iommufd_be__dev_rw(struct iommufd_be *be, u32 ep);
/* Attach the device's RID to @pt (IOAS or HWPT): attach or replace. */
int iommufd_be__attach_rid(struct iommufd_be *be, struct iommufd_be_dev *dev,
			   u32 pt);
/* What a bypass domain attaches to: the NEST_PARENT HWPT, else stage 2. */
u32 iommufd_be__bypass_pt(const struct iommufd_be *be,
			  const struct iommufd_be_dev *dev);

/* ---- Host devices (backend-iommufd-dev.c) ---- */

/* Ops (struct viommu_backend_ops) the ops table in backend-iommufd.c
 * names, by file. */
void iommufd_be__ep_caps(void *opaque, struct viommu_endpoint *ep,
			 struct viommu_ep_caps *caps);

/* ---- Guest domains (backend-iommufd-dom.c) ---- */

int iommufd_be__attach(void *opaque, struct viommu_endpoint *ep,
		       struct viommu_domain *d);
void iommufd_be__detach(void *opaque, struct viommu_endpoint *ep,
			struct viommu_domain *d);
int iommufd_be__map(void *opaque, struct viommu_domain *d,
		    const struct viommu_mapping *m);
int iommufd_be__unmap(void *opaque, struct viommu_domain *d,
		      const struct viommu_mapping *m);

/* ---- Stage-1 tables (backend-iommufd-table.c) ---- */

/* How many PASIDs of @dev have a nested HWPT. */
int iommufd_be__nr_tables(const struct iommufd_be_dev *dev);
int iommufd_be__attach_table(void *opaque, struct viommu_endpoint *ep,
			     u32 pasid, const struct s1_desc *desc,
			     bool replace);
void iommufd_be__detach_table(void *opaque, struct viommu_endpoint *ep,
			      u32 pasid);

/* ---- Invalidation (backend-iommufd-inval.c) ---- */

void iommufd_be__invalidate(void *opaque, const struct viommu_inval *inv,
			    int nr, int *err);

#endif
