// SPDX-License-Identifier: MIT
/* virtio-mem requests: validation and the plug/unplug state machine over dynmem. */
#include <string.h>
#include "virtio_mem_dev.h"

static uint16_t do_plug(struct dynmem *d, uint64_t requested, const struct virtio_mem_req *r)
{
	uint64_t bytes = (uint64_t)r->nb_blocks * d->block_size;
	int ret;

	if (dynmem_block_state(d, r->addr, r->nb_blocks) != VIRTIO_MEM_STATE_UNPLUGGED)
		return VIRTIO_MEM_RESP_ERROR;	/* bad range, or something there is plugged */
	/* §5.15.6.2: the device must not let plugged_size exceed requested_size */
	if (dynmem_plugged_bytes(d) + bytes > requested)
		return VIRTIO_MEM_RESP_NACK;
	ret = dynmem_plug(d, r->addr, r->nb_blocks);
	if (ret == -2)
		return VIRTIO_MEM_RESP_NACK;	/* host pool empty: try again later */
	return ret ? VIRTIO_MEM_RESP_ERROR : VIRTIO_MEM_RESP_ACK;
}

static uint16_t do_unplug(struct dynmem *d, const struct virtio_mem_req *r)
{
	if (dynmem_block_state(d, r->addr, r->nb_blocks) != VIRTIO_MEM_STATE_PLUGGED)
		return VIRTIO_MEM_RESP_ERROR;
	return dynmem_unplug(d, r->addr, r->nb_blocks) ? VIRTIO_MEM_RESP_ERROR :
							 VIRTIO_MEM_RESP_ACK;
}

void virtio_mem_handle(struct dynmem *d, uint64_t requested_size,
		       const struct virtio_mem_req *req, struct virtio_mem_resp *resp,
		       struct virtio_mem_counters *cnt)
{
	int state;

	memset(resp, 0, sizeof(*resp));
	cnt->requests++;
	switch (req->type) {
	case VIRTIO_MEM_REQ_PLUG:
		resp->type = do_plug(d, requested_size, req);
		break;
	case VIRTIO_MEM_REQ_UNPLUG:
		resp->type = do_unplug(d, req);
		break;
	case VIRTIO_MEM_REQ_UNPLUG_ALL:
		dynmem_unplug_all(d);
		resp->type = VIRTIO_MEM_RESP_ACK;
		break;
	case VIRTIO_MEM_REQ_STATE:
		state = dynmem_block_state(d, req->addr, req->nb_blocks);
		resp->type = state < 0 ? VIRTIO_MEM_RESP_ERROR : VIRTIO_MEM_RESP_ACK;
		resp->state = state < 0 ? 0 : (uint16_t)state;
		break;
	default:
		resp->type = VIRTIO_MEM_RESP_ERROR;
		break;
	}
	switch (resp->type) {
	case VIRTIO_MEM_RESP_ACK:	cnt->acks++; break;
	case VIRTIO_MEM_RESP_NACK:	cnt->nacks++; break;
	case VIRTIO_MEM_RESP_BUSY:	cnt->busy++; break;
	default:			cnt->errors++; break;
	}
}
