/* SPDX-License-Identifier: MIT */
/*
 * Virtio 1.x constants, named after the specification ("Virtual I/O Device
 * (VIRTIO) Version 1.2", cited as VIRTIO 1.2 §n). Shared by the hypervisor's
 * devices and the test guest's drivers.
 */
#ifndef VIRTIO_H
#define VIRTIO_H

#include <stdint.h>

/* PCI identity: VIRTIO 1.2 §4.1.2 */
#define VIRTIO_PCI_VENDOR_ID		0x1af4
#define VIRTIO_PCI_DEVICE_ID_BASE	0x1040	/* + device ID: modern (non-transitional) */
#define VIRTIO_PCI_SUBSYS_VENDOR_ID	0x1af4

/* Device IDs: VIRTIO 1.2 §5 */
#define VIRTIO_ID_BALLOON		5
#define VIRTIO_ID_MEM			24

/* Device status bits: VIRTIO 1.2 §2.1 */
#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	64
#define VIRTIO_STATUS_FAILED		128

/* Reserved feature bits: VIRTIO 1.2 §6 */
#define VIRTIO_F_VERSION_1		32

/* PCI capabilities: VIRTIO 1.2 §4.1.4 */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5

/* struct virtio_pci_common_cfg field offsets: VIRTIO 1.2 §4.1.4.3 */
#define VIRTIO_PCI_COMMON_DFSELECT	0x00	/* le32 device_feature_select */
#define VIRTIO_PCI_COMMON_DF		0x04	/* le32 device_feature (RO) */
#define VIRTIO_PCI_COMMON_GFSELECT	0x08	/* le32 driver_feature_select */
#define VIRTIO_PCI_COMMON_GF		0x0c	/* le32 driver_feature */
#define VIRTIO_PCI_COMMON_MSIX		0x10	/* le16 config_msix_vector */
#define VIRTIO_PCI_COMMON_NUMQ		0x12	/* le16 num_queues (RO) */
#define VIRTIO_PCI_COMMON_STATUS	0x14	/* u8 device_status */
#define VIRTIO_PCI_COMMON_CFGGENERATION	0x15	/* u8 config_generation (RO) */
#define VIRTIO_PCI_COMMON_Q_SELECT	0x16	/* le16 queue_select */
#define VIRTIO_PCI_COMMON_Q_SIZE	0x18	/* le16 queue_size */
#define VIRTIO_PCI_COMMON_Q_MSIX	0x1a	/* le16 queue_msix_vector */
#define VIRTIO_PCI_COMMON_Q_ENABLE	0x1c	/* le16 queue_enable */
#define VIRTIO_PCI_COMMON_Q_NOFF	0x1e	/* le16 queue_notify_off (RO) */
#define VIRTIO_PCI_COMMON_Q_DESCLO	0x20	/* le64 queue_desc */
#define VIRTIO_PCI_COMMON_Q_DESCHI	0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO	0x28	/* le64 queue_driver */
#define VIRTIO_PCI_COMMON_Q_AVAILHI	0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO	0x30	/* le64 queue_device */
#define VIRTIO_PCI_COMMON_Q_USEDHI	0x34
#define VIRTIO_PCI_COMMON_SIZE		0x38
#define VIRTIO_MSI_NO_VECTOR		0xffff

#define VIRTIO_PCI_ISR_QUEUE		0x1	/* ISR bit 0: a used buffer */
#define VIRTIO_PCI_ISR_CONFIG		0x2	/* ISR bit 1: configuration change */

/* Split virtqueues: VIRTIO 1.2 §2.7 */
#define VIRTQ_DESC_F_NEXT		1
#define VIRTQ_DESC_F_WRITE		2
#define VIRTQ_DESC_F_INDIRECT		4
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;	/* head of the used chain (le32 for padding reasons) */
	uint32_t len;	/* bytes written into the chain's writable buffers */
};
/* avail: le16 flags, le16 idx, le16 ring[size], le16 used_event */
/* used:  le16 flags, le16 idx, struct virtq_used_elem ring[size], le16 avail_event */

/* Traditional memory balloon: VIRTIO 1.2 §5.5 */
#define VIRTIO_BALLOON_F_MUST_TELL_HOST	0
#define VIRTIO_BALLOON_F_STATS_VQ	1
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM	2
#define VIRTIO_BALLOON_F_FREE_PAGE_HINT	3
#define VIRTIO_BALLOON_F_PAGE_POISON	4
#define VIRTIO_BALLOON_F_PAGE_REPORTING	5
#define VIRTIO_BALLOON_PFN_SHIFT	12	/* PFNs are of 4 KiB pages, le32 */
#define VIRTIO_BALLOON_Q_INFLATE	0
#define VIRTIO_BALLOON_Q_DEFLATE	1
#define VIRTIO_BALLOON_Q_STATS		2

struct virtio_balloon_config {
	uint32_t num_pages;	/* device: how many pages the balloon should hold */
	uint32_t actual;	/* driver: how many it holds */
	uint32_t free_page_hint_cmd_id;
	uint32_t poison_val;
};

/* struct virtio_balloon_stat is packed: le16 tag, le64 val (10 bytes) */
#define VIRTIO_BALLOON_S_SWAP_IN	0
#define VIRTIO_BALLOON_S_SWAP_OUT	1
#define VIRTIO_BALLOON_S_MAJFLT		2
#define VIRTIO_BALLOON_S_MINFLT		3
#define VIRTIO_BALLOON_S_MEMFREE	4
#define VIRTIO_BALLOON_S_MEMTOT		5
#define VIRTIO_BALLOON_S_AVAIL		6
#define VIRTIO_BALLOON_S_CACHES		7
#define VIRTIO_BALLOON_S_HTLB_PGALLOC	8
#define VIRTIO_BALLOON_S_HTLB_PGFAIL	9
#define VIRTIO_BALLOON_S_NR		10
#define VIRTIO_BALLOON_STAT_SIZE	10

/* Memory device: VIRTIO 1.2 §5.15 */
#define VIRTIO_MEM_F_ACPI_PXM		0
#define VIRTIO_MEM_F_UNPLUGGED_INACCESSIBLE 1

struct virtio_mem_config {
	uint64_t block_size;
	uint16_t node_id;
	uint8_t padding[6];
	uint64_t addr;
	uint64_t region_size;
	uint64_t usable_region_size;
	uint64_t plugged_size;
	uint64_t requested_size;
};

#define VIRTIO_MEM_REQ_PLUG		0
#define VIRTIO_MEM_REQ_UNPLUG		1
#define VIRTIO_MEM_REQ_UNPLUG_ALL	2
#define VIRTIO_MEM_REQ_STATE		3

struct virtio_mem_req {
	uint16_t type;
	uint16_t padding[3];
	uint64_t addr;		/* plug, unplug, state */
	uint16_t nb_blocks;
	uint16_t padding2[3];
};

#define VIRTIO_MEM_RESP_ACK		0
#define VIRTIO_MEM_RESP_NACK		1
#define VIRTIO_MEM_RESP_BUSY		2
#define VIRTIO_MEM_RESP_ERROR		3

#define VIRTIO_MEM_STATE_PLUGGED	0
#define VIRTIO_MEM_STATE_UNPLUGGED	1
#define VIRTIO_MEM_STATE_MIXED		2

struct virtio_mem_resp {
	uint16_t type;
	uint16_t padding[3];
	uint16_t state;		/* STATE requests only */
};

#endif
