/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every struct, field and constant of include/vsva/uapi/ next to its
 * kernel twin, as X-macro lists:
 *   S(ours, theirs)                 sizeof equal
 *   F(ours, theirs, ofield, tfield) offsetof and field size equal
 *   K(ours, theirs)                 constant equal
 * Users (tests/unit/test-uapi-layout.c, tests/conformance/uapi-layout.c)
 * include the kernel's headers first (<linux/iommufd.h>, <linux/vfio.h>,
 * and for UAPI_CHECKS_TEST drivers/iommu/iommufd/iommufd_test.h), then
 * ours, then define S/F/K and expand the lists.
 *
 * Kernel values that include/vsva/prq.h shadows with macros of the same
 * name are captured first (UAPI_PRQ_ENUMS) and compared by value.
 */
#ifndef VSVA_UAPI_CHECKS_H
#define VSVA_UAPI_CHECKS_H

/* Before <vsva/prq.h>: the kernel's enum values under other names. */
#define UAPI_PRQ_ENUMS							\
	enum {								\
		K_PGFAULT_PASID_VALID = IOMMU_PGFAULT_FLAGS_PASID_VALID, \
		K_PGFAULT_LAST_PAGE = IOMMU_PGFAULT_FLAGS_LAST_PAGE,	\
		K_PERM_READ = IOMMU_PGFAULT_PERM_READ,			\
		K_PERM_WRITE = IOMMU_PGFAULT_PERM_WRITE,		\
		K_PERM_EXEC = IOMMU_PGFAULT_PERM_EXEC,			\
		K_PERM_PRIV = IOMMU_PGFAULT_PERM_PRIV,			\
		K_RESP_SUCCESS = IOMMUFD_PAGE_RESP_SUCCESS,		\
		K_RESP_INVALID = IOMMUFD_PAGE_RESP_INVALID,		\
	}

/* include/vsva/uapi/iommufd.h and prq.h against <linux/iommufd.h> */
#define UAPI_CHECKS_IOMMUFD(S, F, K)					\
	K(IOFD_TYPE, IOMMUFD_TYPE)					\
	K(IOFD_CMD_BASE, IOMMUFD_CMD_BASE)				\
	K(IOFD_DESTROY, IOMMU_DESTROY)					\
	K(IOFD_IOAS_ALLOC, IOMMU_IOAS_ALLOC)				\
	K(IOFD_IOAS_IOVA_RANGES, IOMMU_IOAS_IOVA_RANGES)		\
	K(IOFD_IOAS_MAP, IOMMU_IOAS_MAP)				\
	K(IOFD_IOAS_UNMAP, IOMMU_IOAS_UNMAP)				\
	K(IOFD_HWPT_ALLOC, IOMMU_HWPT_ALLOC)				\
	K(IOFD_GET_HW_INFO, IOMMU_GET_HW_INFO)				\
	K(IOFD_HWPT_INVALIDATE, IOMMU_HWPT_INVALIDATE)			\
	K(IOFD_FAULT_QUEUE_ALLOC, IOMMU_FAULT_QUEUE_ALLOC)		\
	S(iofd_destroy, iommu_destroy)					\
	F(iofd_destroy, iommu_destroy, size, size)			\
	F(iofd_destroy, iommu_destroy, id, id)				\
	S(iofd_ioas_alloc, iommu_ioas_alloc)				\
	F(iofd_ioas_alloc, iommu_ioas_alloc, size, size)		\
	F(iofd_ioas_alloc, iommu_ioas_alloc, flags, flags)		\
	F(iofd_ioas_alloc, iommu_ioas_alloc, out_ioas_id, out_ioas_id)	\
	K(IOFD_IOAS_MAP_FIXED_IOVA, IOMMU_IOAS_MAP_FIXED_IOVA)		\
	K(IOFD_IOAS_MAP_WRITEABLE, IOMMU_IOAS_MAP_WRITEABLE)		\
	K(IOFD_IOAS_MAP_READABLE, IOMMU_IOAS_MAP_READABLE)		\
	S(iofd_ioas_map, iommu_ioas_map)				\
	F(iofd_ioas_map, iommu_ioas_map, size, size)			\
	F(iofd_ioas_map, iommu_ioas_map, flags, flags)			\
	F(iofd_ioas_map, iommu_ioas_map, ioas_id, ioas_id)		\
	F(iofd_ioas_map, iommu_ioas_map, reserved, __reserved)		\
	F(iofd_ioas_map, iommu_ioas_map, user_va, user_va)		\
	F(iofd_ioas_map, iommu_ioas_map, length, length)		\
	F(iofd_ioas_map, iommu_ioas_map, iova, iova)			\
	S(iofd_ioas_unmap, iommu_ioas_unmap)				\
	F(iofd_ioas_unmap, iommu_ioas_unmap, size, size)		\
	F(iofd_ioas_unmap, iommu_ioas_unmap, ioas_id, ioas_id)		\
	F(iofd_ioas_unmap, iommu_ioas_unmap, iova, iova)		\
	F(iofd_ioas_unmap, iommu_ioas_unmap, length, length)		\
	S(iofd_iova_range, iommu_iova_range)				\
	F(iofd_iova_range, iommu_iova_range, start, start)		\
	F(iofd_iova_range, iommu_iova_range, last, last)		\
	S(iofd_ioas_iova_ranges, iommu_ioas_iova_ranges)		\
	F(iofd_ioas_iova_ranges, iommu_ioas_iova_ranges, size, size)	\
	F(iofd_ioas_iova_ranges, iommu_ioas_iova_ranges, ioas_id, ioas_id) \
	F(iofd_ioas_iova_ranges, iommu_ioas_iova_ranges, num_iovas, num_iovas) \
	F(iofd_ioas_iova_ranges, iommu_ioas_iova_ranges, reserved, __reserved) \
	F(iofd_ioas_iova_ranges, iommu_ioas_iova_ranges, allowed_iovas, allowed_iovas) \
	F(iofd_ioas_iova_ranges, iommu_ioas_iova_ranges, out_iova_alignment, out_iova_alignment) \
	K(IOFD_HWPT_ALLOC_NEST_PARENT, IOMMU_HWPT_ALLOC_NEST_PARENT)	\
	K(IOFD_HWPT_ALLOC_DIRTY_TRACKING, IOMMU_HWPT_ALLOC_DIRTY_TRACKING) \
	K(IOFD_HWPT_FAULT_ID_VALID, IOMMU_HWPT_FAULT_ID_VALID)		\
	K(IOFD_HWPT_DATA_NONE, IOMMU_HWPT_DATA_NONE)			\
	K(IOFD_HWPT_DATA_VTD_S1, IOMMU_HWPT_DATA_VTD_S1)		\
	S(iofd_hwpt_alloc, iommu_hwpt_alloc)				\
	F(iofd_hwpt_alloc, iommu_hwpt_alloc, size, size)		\
	F(iofd_hwpt_alloc, iommu_hwpt_alloc, flags, flags)		\
	F(iofd_hwpt_alloc, iommu_hwpt_alloc, dev_id, dev_id)		\
	F(iofd_hwpt_alloc, iommu_hwpt_alloc, pt_id, pt_id)		\
	F(iofd_hwpt_alloc, iommu_hwpt_alloc, out_hwpt_id, out_hwpt_id)	\
	F(iofd_hwpt_alloc, iommu_hwpt_alloc, reserved, __reserved)	\
	F(iofd_hwpt_alloc, iommu_hwpt_alloc, data_type, data_type)	\
	F(iofd_hwpt_alloc, iommu_hwpt_alloc, data_len, data_len)	\
	F(iofd_hwpt_alloc, iommu_hwpt_alloc, data_uptr, data_uptr)	\
	F(iofd_hwpt_alloc, iommu_hwpt_alloc, fault_id, fault_id)	\
	F(iofd_hwpt_alloc, iommu_hwpt_alloc, reserved2, __reserved2)	\
	K(IOFD_VTD_S1_SRE, IOMMU_VTD_S1_SRE)				\
	K(IOFD_VTD_S1_EAFE, IOMMU_VTD_S1_EAFE)				\
	K(IOFD_VTD_S1_WPE, IOMMU_VTD_S1_WPE)				\
	S(iofd_hwpt_vtd_s1, iommu_hwpt_vtd_s1)				\
	F(iofd_hwpt_vtd_s1, iommu_hwpt_vtd_s1, flags, flags)		\
	F(iofd_hwpt_vtd_s1, iommu_hwpt_vtd_s1, pgtbl_addr, pgtbl_addr)	\
	F(iofd_hwpt_vtd_s1, iommu_hwpt_vtd_s1, addr_width, addr_width)	\
	F(iofd_hwpt_vtd_s1, iommu_hwpt_vtd_s1, reserved, __reserved)	\
	K(IOFD_HW_INFO_TYPE_NONE, IOMMU_HW_INFO_TYPE_NONE)		\
	K(IOFD_HW_INFO_TYPE_INTEL_VTD, IOMMU_HW_INFO_TYPE_INTEL_VTD)	\
	K(IOFD_HW_CAP_DIRTY_TRACKING, IOMMU_HW_CAP_DIRTY_TRACKING)	\
	S(iofd_hw_info, iommu_hw_info)					\
	F(iofd_hw_info, iommu_hw_info, size, size)			\
	F(iofd_hw_info, iommu_hw_info, flags, flags)			\
	F(iofd_hw_info, iommu_hw_info, dev_id, dev_id)			\
	F(iofd_hw_info, iommu_hw_info, data_len, data_len)		\
	F(iofd_hw_info, iommu_hw_info, data_uptr, data_uptr)		\
	F(iofd_hw_info, iommu_hw_info, out_data_type, out_data_type)	\
	F(iofd_hw_info, iommu_hw_info, out_capabilities, out_capabilities) \
	K(IOFD_HW_INFO_VTD_ERRATA_772415_SPR17, IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17) \
	S(iofd_hw_info_vtd, iommu_hw_info_vtd)				\
	F(iofd_hw_info_vtd, iommu_hw_info_vtd, flags, flags)		\
	F(iofd_hw_info_vtd, iommu_hw_info_vtd, reserved, __reserved)	\
	F(iofd_hw_info_vtd, iommu_hw_info_vtd, cap_reg, cap_reg)	\
	F(iofd_hw_info_vtd, iommu_hw_info_vtd, ecap_reg, ecap_reg)	\
	K(IOFD_HWPT_INVALIDATE_DATA_VTD_S1, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) \
	S(iofd_hwpt_invalidate, iommu_hwpt_invalidate)			\
	F(iofd_hwpt_invalidate, iommu_hwpt_invalidate, size, size)	\
	F(iofd_hwpt_invalidate, iommu_hwpt_invalidate, hwpt_id, hwpt_id) \
	F(iofd_hwpt_invalidate, iommu_hwpt_invalidate, data_uptr, data_uptr) \
	F(iofd_hwpt_invalidate, iommu_hwpt_invalidate, data_type, data_type) \
	F(iofd_hwpt_invalidate, iommu_hwpt_invalidate, entry_len, entry_len) \
	F(iofd_hwpt_invalidate, iommu_hwpt_invalidate, entry_num, entry_num) \
	F(iofd_hwpt_invalidate, iommu_hwpt_invalidate, reserved, __reserved) \
	K(IOFD_VTD_INV_FLAGS_LEAF, IOMMU_VTD_INV_FLAGS_LEAF)		\
	S(iofd_hwpt_vtd_s1_invalidate, iommu_hwpt_vtd_s1_invalidate)	\
	F(iofd_hwpt_vtd_s1_invalidate, iommu_hwpt_vtd_s1_invalidate, addr, addr) \
	F(iofd_hwpt_vtd_s1_invalidate, iommu_hwpt_vtd_s1_invalidate, npages, npages) \
	F(iofd_hwpt_vtd_s1_invalidate, iommu_hwpt_vtd_s1_invalidate, flags, flags) \
	F(iofd_hwpt_vtd_s1_invalidate, iommu_hwpt_vtd_s1_invalidate, reserved, __reserved) \
	S(iofd_fault_alloc, iommu_fault_alloc)				\
	F(iofd_fault_alloc, iommu_fault_alloc, size, size)		\
	F(iofd_fault_alloc, iommu_fault_alloc, flags, flags)		\
	F(iofd_fault_alloc, iommu_fault_alloc, out_fault_id, out_fault_id) \
	F(iofd_fault_alloc, iommu_fault_alloc, out_fault_fd, out_fault_fd) \
	S(prq_host_fault, iommu_hwpt_pgfault)				\
	F(prq_host_fault, iommu_hwpt_pgfault, flags, flags)		\
	F(prq_host_fault, iommu_hwpt_pgfault, dev_id, dev_id)		\
	F(prq_host_fault, iommu_hwpt_pgfault, pasid, pasid)		\
	F(prq_host_fault, iommu_hwpt_pgfault, grpid, grpid)		\
	F(prq_host_fault, iommu_hwpt_pgfault, perm, perm)		\
	F(prq_host_fault, iommu_hwpt_pgfault, reserved, __reserved)	\
	F(prq_host_fault, iommu_hwpt_pgfault, addr, addr)		\
	F(prq_host_fault, iommu_hwpt_pgfault, length, length)		\
	F(prq_host_fault, iommu_hwpt_pgfault, cookie, cookie)		\
	S(prq_host_resp, iommu_hwpt_page_response)			\
	F(prq_host_resp, iommu_hwpt_page_response, cookie, cookie)	\
	F(prq_host_resp, iommu_hwpt_page_response, code, code)		\
	K(IOMMU_PGFAULT_FLAGS_PASID_VALID, K_PGFAULT_PASID_VALID)	\
	K(IOMMU_PGFAULT_FLAGS_LAST_PAGE, K_PGFAULT_LAST_PAGE)		\
	K(IOMMU_PGFAULT_PERM_READ, K_PERM_READ)				\
	K(IOMMU_PGFAULT_PERM_WRITE, K_PERM_WRITE)			\
	K(IOMMU_PGFAULT_PERM_EXEC, K_PERM_EXEC)				\
	K(IOMMU_PGFAULT_PERM_PRIV, K_PERM_PRIV)				\
	K(IOMMUFD_PAGE_RESP_SUCCESS, K_RESP_SUCCESS)			\
	K(IOMMUFD_PAGE_RESP_INVALID, K_RESP_INVALID)

/* Fields newer than some kernels' headers (Linux 6.15). */
#define UAPI_CHECKS_HW_INFO_PASID(S, F, K)				\
	F(iofd_hw_info, iommu_hw_info, out_max_pasid_log2, out_max_pasid_log2) \
	F(iofd_hw_info, iommu_hw_info, reserved, __reserved)		\
	K(IOFD_HW_CAP_PCI_PASID_EXEC, IOMMU_HW_CAP_PCI_PASID_EXEC)	\
	K(IOFD_HW_CAP_PCI_PASID_PRIV, IOMMU_HW_CAP_PCI_PASID_PRIV)

#define UAPI_CHECKS_HWPT_PASID(S, F, K)					\
	K(IOFD_HWPT_ALLOC_PASID, IOMMU_HWPT_ALLOC_PASID)

/* include/vsva/uapi/vfio-cdev.h against <linux/vfio.h>: the 6.6 part */
#define UAPI_CHECKS_VFIO(S, F, K)					\
	K(VFIO_CDEV_BIND_IOMMUFD, VFIO_DEVICE_BIND_IOMMUFD)		\
	K(VFIO_CDEV_ATTACH_IOMMUFD_PT, VFIO_DEVICE_ATTACH_IOMMUFD_PT)	\
	K(VFIO_CDEV_DETACH_IOMMUFD_PT, VFIO_DEVICE_DETACH_IOMMUFD_PT)	\
	S(vfio_cdev_bind_iommufd, vfio_device_bind_iommufd)		\
	F(vfio_cdev_bind_iommufd, vfio_device_bind_iommufd, argsz, argsz) \
	F(vfio_cdev_bind_iommufd, vfio_device_bind_iommufd, flags, flags) \
	F(vfio_cdev_bind_iommufd, vfio_device_bind_iommufd, iommufd, iommufd) \
	F(vfio_cdev_bind_iommufd, vfio_device_bind_iommufd, out_devid, out_devid) \
	F(vfio_cdev_attach_iommufd_pt, vfio_device_attach_iommufd_pt, argsz, argsz) \
	F(vfio_cdev_attach_iommufd_pt, vfio_device_attach_iommufd_pt, flags, flags) \
	F(vfio_cdev_attach_iommufd_pt, vfio_device_attach_iommufd_pt, pt_id, pt_id) \
	F(vfio_cdev_detach_iommufd_pt, vfio_device_detach_iommufd_pt, argsz, argsz) \
	F(vfio_cdev_detach_iommufd_pt, vfio_device_detach_iommufd_pt, flags, flags)

/* The PASID fields (Linux 6.15): whole structs then match. */
#define UAPI_CHECKS_VFIO_PASID(S, F, K)					\
	K(VFIO_CDEV_ATTACH_PASID, VFIO_DEVICE_ATTACH_PASID)		\
	K(VFIO_CDEV_DETACH_PASID, VFIO_DEVICE_DETACH_PASID)		\
	S(vfio_cdev_attach_iommufd_pt, vfio_device_attach_iommufd_pt)	\
	F(vfio_cdev_attach_iommufd_pt, vfio_device_attach_iommufd_pt, pasid, pasid) \
	S(vfio_cdev_detach_iommufd_pt, vfio_device_detach_iommufd_pt)	\
	F(vfio_cdev_detach_iommufd_pt, vfio_device_detach_iommufd_pt, pasid, pasid)

/* Older VFIO headers: the structs are our V1 sizes. */
#define UAPI_CHECKS_VFIO_V1_SIZES(K)					\
	K(VFIO_CDEV_ATTACH_SIZE_V1, sizeof(struct vfio_device_attach_iommufd_pt)) \
	K(VFIO_CDEV_DETACH_SIZE_V1, sizeof(struct vfio_device_detach_iommufd_pt))

/* include/vsva/uapi/iommufd-test.h against iommufd_test.h */
#define UAPI_CHECKS_TEST(S, F, K)					\
	K(IOFD_TEST_CMD, IOMMU_TEST_CMD)				\
	K(IOFD_TEST_OP_MOCK_DOMAIN, IOMMU_TEST_OP_MOCK_DOMAIN)		\
	K(IOFD_TEST_OP_MOCK_DOMAIN_REPLACE, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE) \
	K(IOFD_TEST_OP_MD_CHECK_IOTLB, IOMMU_TEST_OP_MD_CHECK_IOTLB)	\
	K(IOFD_TEST_OP_TRIGGER_IOPF, IOMMU_TEST_OP_TRIGGER_IOPF)	\
	K(IOFD_MOCK_APERTURE_START, MOCK_APERTURE_START)		\
	K(IOFD_MOCK_APERTURE_LAST, MOCK_APERTURE_LAST)			\
	K(IOFD_MOCK_IOTLB_NUM, MOCK_NESTED_DOMAIN_IOTLB_NUM)		\
	S(iofd_test_cmd, iommu_test_cmd)				\
	F(iofd_test_cmd, iommu_test_cmd, size, size)			\
	F(iofd_test_cmd, iommu_test_cmd, op, op)			\
	F(iofd_test_cmd, iommu_test_cmd, id, id)			\
	F(iofd_test_cmd, iommu_test_cmd, reserved, __reserved)		\
	F(iofd_test_cmd, iommu_test_cmd, mock_domain.out_stdev_id, mock_domain.out_stdev_id) \
	F(iofd_test_cmd, iommu_test_cmd, mock_domain.out_hwpt_id, mock_domain.out_hwpt_id) \
	F(iofd_test_cmd, iommu_test_cmd, mock_domain.out_idev_id, mock_domain.out_idev_id) \
	F(iofd_test_cmd, iommu_test_cmd, mock_domain_replace.pt_id, mock_domain_replace.pt_id) \
	F(iofd_test_cmd, iommu_test_cmd, check_iotlb.id, check_iotlb.id) \
	F(iofd_test_cmd, iommu_test_cmd, check_iotlb.iotlb, check_iotlb.iotlb) \
	F(iofd_test_cmd, iommu_test_cmd, trigger_iopf.dev_id, trigger_iopf.dev_id) \
	F(iofd_test_cmd, iommu_test_cmd, trigger_iopf.pasid, trigger_iopf.pasid) \
	F(iofd_test_cmd, iommu_test_cmd, trigger_iopf.grpid, trigger_iopf.grpid) \
	F(iofd_test_cmd, iommu_test_cmd, trigger_iopf.perm, trigger_iopf.perm) \
	F(iofd_test_cmd, iommu_test_cmd, trigger_iopf.addr, trigger_iopf.addr) \
	F(iofd_test_cmd, iommu_test_cmd, last, last)			\
	K(IOFD_HWPT_DATA_SELFTEST, IOMMU_HWPT_DATA_SELFTEST)		\
	K(IOFD_TEST_IOTLB_DEFAULT, IOMMU_TEST_IOTLB_DEFAULT)		\
	S(iofd_hwpt_selftest, iommu_hwpt_selftest)			\
	F(iofd_hwpt_selftest, iommu_hwpt_selftest, iotlb, iotlb)	\
	K(IOFD_HWPT_INVALIDATE_DATA_SELFTEST, IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) \
	K(IOFD_TEST_INVALIDATE_FLAG_ALL, IOMMU_TEST_INVALIDATE_FLAG_ALL) \
	S(iofd_hwpt_invalidate_selftest, iommu_hwpt_invalidate_selftest) \
	F(iofd_hwpt_invalidate_selftest, iommu_hwpt_invalidate_selftest, flags, flags) \
	F(iofd_hwpt_invalidate_selftest, iommu_hwpt_invalidate_selftest, iotlb_id, iotlb_id) \
	K(IOFD_HW_INFO_TYPE_SELFTEST, IOMMU_HW_INFO_TYPE_SELFTEST)	\
	K(IOFD_HW_INFO_SELFTEST_REGVAL, IOMMU_HW_INFO_SELFTEST_REGVAL)	\
	S(iofd_test_hw_info, iommu_test_hw_info)			\
	F(iofd_test_hw_info, iommu_test_hw_info, flags, flags)		\
	F(iofd_test_hw_info, iommu_test_hw_info, test_reg, test_reg)

/* One check, for the runtime tables. */
struct uapi_check {
	const char *what;
	unsigned long long ours, theirs;
};

#define UAPI_FSIZE(t, f)	sizeof(((struct t *)0)->f)

/* Compile-time: the build fails on the first difference. */
#define UAPI_S_ASSERT(o, t)						\
	_Static_assert(sizeof(struct o) == sizeof(struct t),		\
		       "sizeof " #o " != " #t);
#define UAPI_F_ASSERT(o, t, of, tf)					\
	_Static_assert(offsetof(struct o, of) == offsetof(struct t, tf) && \
		       UAPI_FSIZE(o, of) == UAPI_FSIZE(t, tf),		\
		       #o "." #of " != " #t "." #tf);
#define UAPI_K_ASSERT(o, t)						\
	_Static_assert((unsigned long long)(o) ==			\
		       (unsigned long long)(t), #o " != " #t);

/* Runtime rows: fields give two rows (offset, size). */
#define UAPI_S_ROW(o, t)						\
	{ "sizeof " #o, sizeof(struct o), sizeof(struct t) },
#define UAPI_F_ROW(o, t, of, tf)					\
	{ #o "." #of " offset", offsetof(struct o, of),			\
	  offsetof(struct t, tf) },					\
	{ #o "." #of " size", UAPI_FSIZE(o, of), UAPI_FSIZE(t, tf) },
#define UAPI_K_ROW(o, t)						\
	{ #o, (unsigned long long)(o), (unsigned long long)(t) },

/*
 * Every check that applies to the headers at hand, once: a user expands
 * UAPI_CHECKS_ALL with its own S, F and K (assertions, or table rows).
 * The choices follow what is defined when this header is included, so
 * include the kernel's linux/vfio.h first.
 */
#ifdef VSVA_UAPI_HW_INFO_PASID
#define UAPI_OPT_HW_INFO_PASID(S, F, K) UAPI_CHECKS_HW_INFO_PASID(S, F, K)
#else
#define UAPI_OPT_HW_INFO_PASID(S, F, K)
#endif
#ifdef VSVA_UAPI_HWPT_PASID
#define UAPI_OPT_HWPT_PASID(S, F, K) UAPI_CHECKS_HWPT_PASID(S, F, K)
#else
#define UAPI_OPT_HWPT_PASID(S, F, K)
#endif
#ifdef VFIO_DEVICE_ATTACH_PASID
#define UAPI_OPT_VFIO_PASID(S, F, K) UAPI_CHECKS_VFIO_PASID(S, F, K)
#else
#define UAPI_OPT_VFIO_PASID(S, F, K) UAPI_CHECKS_VFIO_V1_SIZES(K)
#endif
#ifdef VSVA_UAPI_KTEST
#define UAPI_OPT_TEST(S, F, K) UAPI_CHECKS_TEST(S, F, K)
#else
#define UAPI_OPT_TEST(S, F, K)
#endif

#define UAPI_CHECKS_ALL(S, F, K)					\
	UAPI_CHECKS_IOMMUFD(S, F, K)					\
	UAPI_CHECKS_VFIO(S, F, K)					\
	UAPI_OPT_HW_INFO_PASID(S, F, K)					\
	UAPI_OPT_HWPT_PASID(S, F, K)					\
	UAPI_OPT_VFIO_PASID(S, F, K)					\
	UAPI_OPT_TEST(S, F, K)

#endif
