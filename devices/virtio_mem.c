// SPDX-License-Identifier: MIT
/*
 * virtio-mem (VIRTIO 1.2 §5.15): one request queue; each chain holds a
 * struct virtio_mem_req to read and room for a struct virtio_mem_resp.
 * devices/virtio_mem_dev.c decides; dynmem maps and unmaps.
 */
#include <string.h>
#include "vdevices.h"
#include "vm.h"

static struct vmem *to_vmem(struct virtio_dev *d)
{
	return d->priv;
}

static uint32_t vmem_read_config(struct virtio_dev *d, unsigned int off, unsigned int size)
{
	struct vmem *m = to_vmem(d);
	struct dynmem *dm = &d->vm->dyn;
	struct virtio_mem_config c = {
		.block_size = dm->block_size,
		.addr = dm->hp_base,
		.region_size = dm->hp_size,
		.usable_region_size = dm->hp_size,
		.plugged_size = dynmem_plugged_bytes(dm),
		.requested_size = m->requested,
	};
	uint32_t v = 0;

	memcpy(&v, (uint8_t *)&c + off, size);
	return v;
}

static void vmem_write_config(struct virtio_dev *d, unsigned int off, unsigned int size,
			      uint32_t v)
{
	/* the whole virtio-mem config is read-only for the driver (§5.15.4) */
	d->bad_accesses++;
}

static void vmem_notify(struct virtio_dev *d, unsigned int q)
{
	struct vmem *m = to_vmem(d);
	struct vq_chain c;
	bool used = false;

	while (virtio_pop(d, q, &c)) {
		struct virtio_mem_req req;
		struct virtio_mem_resp resp;
		uint32_t written = 0;

		memset(&req, 0, sizeof(req));
		if (vq_read(&d->mem, &c, 0, &req, sizeof(req)) != sizeof(req) ||
		    c.writable < sizeof(resp)) {
			d->bad_chains++;	/* too short to hold a request or a response */
		} else {
			uint64_t before = dynmem_plugged_bytes(&d->vm->dyn), after;

			virtio_mem_handle(&d->vm->dyn, m->requested, &req, &resp, &m->cnt);
			/*
			 * The pages plugged or unplugged are the request's work. The
			 * region bounds it (§5.15.6.1: requests outside it are ERROR),
			 * a plug also requested_size, which the host chose.
			 */
			after = dynmem_plugged_bytes(&d->vm->dyn);
			virtio_charge(d, (after > before ? after - before : before - after) >>
					 PAGE_SHIFT);
			written = (uint32_t)vq_write(&d->mem, &c, 0, &resp, sizeof(resp));
			if (req.type == VIRTIO_MEM_REQ_PLUG || req.type == VIRTIO_MEM_REQ_UNPLUG ||
			    req.type == VIRTIO_MEM_REQ_UNPLUG_ALL)
				d->config_gen++;	/* plugged_size may have changed */
		}
		vq_push(&d->vq[q], &d->mem, c.head, written);
		used = true;
	}
	if (used)
		virtio_queue_interrupt(d, q);
}

static const struct virtio_dev_ops vmem_ops = {
	.name = "virtio-mem",
	.device_id = VIRTIO_ID_MEM,
	.nr_queues = 1,
	/* unplugged memory is not mapped at all: say so (§5.15.3) */
	.features = 1ULL << VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE,
	.config_size = sizeof(struct virtio_mem_config),
	.read_config = vmem_read_config,
	.write_config = vmem_write_config,
	.notify = vmem_notify,
};

int vmem_init(struct vmem *m, struct vm *vm, unsigned int irq)
{
	memset(m, 0, sizeof(*m));
	m->dev.priv = m;
	return virtio_pci_init(&m->dev, vm, &vm->pci, &vmem_ops, irq);
}

void vmem_set_requested(struct vmem *m, uint64_t bytes)
{
	if (bytes == m->requested)
		return;
	m->requested = bytes;
	virtio_config_changed(&m->dev);
}
