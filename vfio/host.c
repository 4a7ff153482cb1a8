// SPDX-License-Identifier: GPL-2.0
/*
 * The --vfio devices of a vm (include/vsva/vfio.h): finding the cdev (a
 * path, or a PCI address looked up in sysfs), opening it, putting the
 * function on the bus, and -- without a vIOMMU -- giving the device guest
 * RAM at IOVA = GPA in an IOAS of its own.  With a vIOMMU the iommufd
 * backend binds and attaches it (pdev->host).
 *
 * The cdevs are opened before the PCI bus exists and closed after it is
 * gone, so the vIOMMU's backend can still detach them while it tears down.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vsva/iommufd.h>
#include <vsva/log.h>
#include <vsva/vfio.h>
#include <vsva/virtio-iommu.h>
#include <vsva/vm.h>

/* --- the host's system calls --- */

static int sys__ioctl(void *opaque, int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static ssize_t sys__pread(void *opaque, int fd, void *buf, size_t len,
			  u64 off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	return n < 0 ? -errno : n;
}

static ssize_t sys__pwrite(void *opaque, int fd, const void *buf, size_t len,
			   u64 off)
{
	ssize_t n = pwrite(fd, buf, len, (off_t)off);

	return n < 0 ? -errno : n;
}

static void *sys__mmap(void *opaque, int fd, u64 off, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)off);

	return p == MAP_FAILED ? NULL : p;
}

static void sys__munmap(void *opaque, void *p, size_t len)
{
	munmap(p, len);
}

static int sys__eventfd(void *opaque)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	return fd < 0 ? -errno : fd;
}

static ssize_t sys__read(void *opaque, int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? -errno : n;
}

static void sys__close(void *opaque, int fd)
{
	close(fd);
}

const struct vfio_sys vfio_sys_host = {
	.ioctl = sys__ioctl,
	.pread = sys__pread,
	.pwrite = sys__pwrite,
	.mmap = sys__mmap,
	.munmap = sys__munmap,
	.eventfd = sys__eventfd,
	.read = sys__read,
	.close = sys__close,
};

/* --- the vm side --- */

static int vm__msi_route(void *vm, int gsi, u64 addr, u32 data)
{
	if (gsi < 0)
		return irq__add_msi_route(vm, addr, data);
	return irq__update_msi_route(vm, (u32)gsi, addr, data);
}

static int vm__irqfd(void *vm, int efd, u32 gsi, bool assign)
{
	return irq__irqfd(vm, efd, gsi, assign);
}

static int vm__slot_add(void *vm, u64 gpa, u64 size, void *hva)
{
	return vm__add_mmio_memslot(vm, gpa, size, hva);
}

static int vm__slot_del(void *vm, int slot)
{
	return vm__del_memslot(vm, slot);
}

static int vm__watch(void *vm, int fd,
		     void (*fn)(struct vm *vm, int fd, u32 revents, void *arg),
		     void *arg)
{
	return evloop__add(vm, fd, EPOLLIN, fn, arg);
}

static void vm__unwatch(void *vm, int fd)
{
	evloop__del(vm, fd);
}

static void vm__ep_reset(void *vm, struct viommu_endpoint *ep)
{
	virtio_iommu__ep_reset(ep);
}

static const struct vfio_vm_ops vfio_vm_kvm_ops = {
	.msi_route = vm__msi_route,
	.irqfd = vm__irqfd,
	.memslot_add = vm__slot_add,
	.memslot_del = vm__slot_del,
	.watch = vm__watch,
	.unwatch = vm__unwatch,
	.ep_reset = vm__ep_reset,
};

/* --- finding the cdev --- */

/* Up to @max hex digits at *@s (no sign, no 0x), then @sep (0: end). */
static bool host__hex(const char **s, int max, char sep, unsigned int *v)
{
	int n = 0;

	*v = 0;
	for (; isxdigit((unsigned char)**s) && n < max; n++, (*s)++)
		*v = *v * 16 + (unsigned int)(isdigit((unsigned char)**s) ?
			**s - '0' : (tolower((unsigned char)**s) - 'a' + 10));
	if (!n || **s != sep)
		return false;
	if (sep)
		(*s)++;
	return true;
}

/* DDDD:BB:DD.F or BB:DD.F (hex); *@norm gets DDDD:BB:DD.F. */
static bool host__parse_bdf(const char *s, char *norm, size_t size)
{
	unsigned int dom = 0, bus, dev, fn;
	const char *p = s;

	if (strlen(s) == 12 && !host__hex(&p, 4, ':', &dom))
		return false;
	if (!host__hex(&p, 2, ':', &bus) || !host__hex(&p, 2, '.', &dev) ||
	    !host__hex(&p, 1, 0, &fn))
		return false;
	if (dev > 0x1f || fn > 7)
		return false;
	if (norm)
		snprintf(norm, size, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return true;
}

bool vfio__is_bdf(const char *arg)
{
	return host__parse_bdf(arg, NULL, 0);
}

int vfio__resolve(const char *arg, const char *sysfs, char *path,
		  size_t size)
{
	char bdf[16], dir[256];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = -ENOENT;

	if (!host__parse_bdf(arg, bdf, sizeof(bdf))) {
		if ((size_t)snprintf(path, size, "%s", arg) >= size)
			return -ENAMETOOLONG;
		return 0;
	}
	if (!sysfs)
		sysfs = "/sys";
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s", sysfs, bdf);
	if (stat(dir, &st))
		return -ENODEV;
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices/%s/vfio-dev", sysfs,
		 bdf);
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		unsigned int n;
		int end = 0;

		if (sscanf(de->d_name, "vfio%u%n", &n, &end) != 1 ||
		    de->d_name[end])
			continue;
		ret = (size_t)snprintf(path, size, "/dev/vfio/devices/vfio%u",
				       n) >= size ? -ENAMETOOLONG : 0;
		break;
	}
	closedir(d);
	return ret;
}

/* --- the devices of a vm --- */

struct vfio_set {
	int nr;
	struct vfio_host_dev {
		const char *arg;
		char path[256];
		int fd;
		struct vfio_pci *vp;
		bool on_bus;		/* then the bus frees vp */
	} devs[VM_MAX_VFIO];
	/* without a vIOMMU */
	struct iommufd ifd;
	bool ifd_open;
	u32 ioas;
};

static int host__resolve(struct vfio_host_dev *h)
{
	int ret = vfio__resolve(h->arg, NULL, h->path, sizeof(h->path));

	if (ret)
		pr_err("--vfio %s: %s", h->arg, ret == -ENODEV ?
		       "no such PCI device" : ret == -ENOENT ?
		       "no VFIO cdev: bind it to vfio-pci (driver_override) on a kernel with CONFIG_VFIO_DEVICE_CDEV" :
		       strerror(-ret));
	return ret;
}

static int host__open(struct vfio_host_dev *h)
{
	int fd, ret;

	fd = open(h->path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		pr_err("--vfio %s: cannot open %s: %s", h->arg, h->path,
		       strerror(-ret));
		return ret;
	}
	return fd;
}

/*
 * VFIO answers a cdev only once it is bound to an iommufd, and the
 * function must be on the bus (BARs sized) before the vIOMMU's backend
 * binds it for good.  So: bind one open of the device to a scratch
 * iommufd, learn everything, close it (unbind), and keep a second open
 * for the backend (or host__dma_identity) to bind.
 */
static int host__probe(struct vfio_host_dev *h, struct iommufd *scratch,
		       struct vm *vm)
{
	char name[48];
	u32 dev_id;
	int pfd, ret;

	pfd = host__open(h);
	if (pfd < 0)
		return pfd;
	ret = iommufd__vfio_bind(scratch, pfd, &dev_id);
	if (ret) {
		pr_err("--vfio %s: VFIO_DEVICE_BIND_IOMMUFD: %s%s", h->arg,
		       strerror(-ret), ret == -EPERM ?
		       " (no interrupt remapping on the host?)" : "");
		close(pfd);
		return ret;
	}
	h->vp = calloc(1, sizeof(*h->vp));
	if (!h->vp) {
		close(pfd);
		return -ENOMEM;
	}
	snprintf(name, sizeof(name), "vfio %s",
		 vfio__is_bdf(h->arg) ? h->arg : h->path);
	ret = vfio_pci__probe(h->vp, pfd, &vfio_sys_host, &vfio_vm_kvm_ops,
			      vm, name);
	close(pfd);
	if (ret)
		return ret;
	h->fd = host__open(h);
	if (h->fd < 0)
		return h->fd;
	h->vp->vd.fd = h->fd;
	return 0;
}

int vfio__open_all(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	struct iommufd scratch;
	struct vfio_set *set;
	int ret = 0;

	if (!cfg->nr_vfio)
		return 0;
	set = calloc(1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	vm->vfio = set;
	for (int i = 0; i < cfg->nr_vfio && !ret; i++) {
		struct vfio_host_dev *h = &set->devs[i];

		h->arg = cfg->vfio[i];
		h->fd = -1;
		set->nr++;
		ret = host__resolve(h);
	}
	if (ret)
		return ret;
	ret = iommufd__open(&scratch, NULL);
	if (ret) {
		pr_err("--vfio: cannot open /dev/iommu: %s%s", strerror(-ret),
		       ret == -ENOENT ? " (a host kernel with CONFIG_IOMMUFD)" :
		       "");
		return ret;
	}
	for (int i = 0; i < set->nr && !ret; i++)
		ret = host__probe(&set->devs[i], &scratch, vm);
	iommufd__close(&scratch);
	return ret;
}

void vfio__close_all(struct vm *vm)
{
	struct vfio_set *set = vm->vfio;

	if (!set)
		return;
	for (int i = 0; i < set->nr; i++) {
		struct vfio_host_dev *h = &set->devs[i];

		if (h->vp && !h->on_bus) {
			vfio_pci__teardown(h->vp);
			free(h->vp);
		}
		/* Closing a cdev unbinds it from its iommufd. */
		if (h->fd >= 0)
			close(h->fd);
	}
	if (set->ifd_open)
		iommufd__close(&set->ifd);
	free(set);
	vm->vfio = NULL;
}

/* No vIOMMU: all guest RAM at IOVA = GPA, every device attached to it. */
static int host__dma_identity(struct vm *vm, struct vfio_set *set)
{
	int ret = iommufd__open(&set->ifd, NULL);

	if (ret) {
		pr_err("--vfio: cannot open /dev/iommu: %s", strerror(-ret));
		return ret;
	}
	set->ifd_open = true;
	ret = iommufd__ioas_alloc(&set->ifd, &set->ioas);
	for (int i = 0; !ret && i < vm->mem.nr_regions; i++) {
		const struct guest_mem_region *r = &vm->mem.regions[i];

		ret = iommufd__ioas_map(&set->ifd, set->ioas, r->gpa, r->hva,
					r->size, IOFD_IOAS_MAP_READABLE |
					IOFD_IOAS_MAP_WRITEABLE);
	}
	if (ret) {
		pr_err("--vfio: cannot map guest RAM for DMA: %s",
		       strerror(-ret));
		return ret;
	}
	for (int i = 0; i < set->nr; i++) {
		struct vfio_host_dev *h = &set->devs[i];
		u32 dev_id = 0, pt = set->ioas;

		ret = iommufd__vfio_bind(&set->ifd, h->fd, &dev_id);
		if (ret) {
			pr_err("--vfio %s: VFIO_DEVICE_BIND_IOMMUFD: %s",
			       h->arg, strerror(-ret));
			return ret;
		}
		ret = iommufd__vfio_attach(&set->ifd, h->fd, IOMMUFD_NO_PASID,
					   &pt);
		if (ret) {
			pr_err("--vfio %s: VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s",
			       h->arg, strerror(-ret));
			return ret;
		}
		pr_info("%s: DMA to guest RAM at IOVA = GPA (iommufd device %u, HWPT %u)",
			h->vp->name, dev_id, pt);
		ret = vfio_pci__activate(h->vp, h->fd);
		if (ret)
			return ret;
	}
	return 0;
}

int vfio__init_all(struct vm *vm)
{
	struct vfio_set *set = vm->vfio;
	int ret;

	if (!set)
		return 0;
	for (int i = 0; i < set->nr; i++) {
		struct vfio_host_dev *h = &set->devs[i];
		struct vfio_pci *vp = h->vp;

		vp->dma.mem = &vm->mem;
		vp->pdev.host.kind = PCI_HOST_VFIO;
		vp->pdev.host.fd = h->fd;
		vp->pdev.prq_timeout_ms = vm->cfg->vfio_prq_timeout_ms[i];
		ret = pci__register(vm, &vp->pdev);
		if (ret) {
			pr_err("%s: no room on the PCI bus: %s", vp->name,
			       strerror(-ret));
			return ret;
		}
		h->on_bus = true;
	}
	/* With a vIOMMU, its backend binds each device and the function's
	 * iommu_attached hook activates it. */
	return vm->cfg->viommu ? 0 : host__dma_identity(vm, set);
}
