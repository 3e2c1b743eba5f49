// SPDX-License-Identifier: MIT
// analyzer/slab_track.c: SLUB's alloc/free tracks (mm/slub.c get_track(),
// lib/stackdepot.c), decoded from the dump.
#include <stdlib.h>
#include <string.h>

#include "slab_track.h"
#include "vmca.h"

// Stack depot records are aligned to 1 << 4 in their pool
// (STACK_ALLOC_ALIGN before v6.3, DEPOT_STACK_ALIGN since).
#define DEPOT_ALIGN 4
// Bound on a depot record's frames (CONFIG_STACKDEPOT_MAX_FRAMES: 64).
#define DEPOT_MAX_FRAMES 256

struct bits {
	uint32_t offset, size;
};

struct vmca_slab_tracks {
	struct vmca_session *s;
	uint64_t track_size;
	uint64_t off_addr, off_cpu, off_pid, off_when;
	// Before v5.17: addrs[] inline; since: a depot handle.
	bool has_addrs, has_handle;
	uint64_t off_addrs, nr_addrs, off_handle;
	// The depot: its pool array, how a handle names a record.
	bool has_depot;
	uint64_t pools;
	bool is_plus_1;
	struct bits pool_bits, offset_bits;
	uint64_t rec_size_off, rec_entries_off;
	uint64_t jiffies;
	uint32_t hz;
};

static bool member(struct vmca_session *s, const char *type, const char *path,
		   uint64_t *off)
{
	struct vmca_error *err = vmca_type_member_offset(s, type, path, off);
	vmca_error_destroy(err);
	return !err;
}

static bool bitfield(struct vmca_session *s, const char *type, const char *path,
		     struct bits *ret)
{
	struct vmca_member m;
	struct vmca_error *err = vmca_type_member(s, type, path, &m);
	if (err) {
		vmca_error_destroy(err);
		return false;
	}
	ret->offset = (uint32_t)m.bit_offset;
	ret->size = m.bit_size ? m.bit_size : 32;
	return ret->offset + ret->size <= 32;
}

static void depot_init(struct vmca_slab_tracks *t)
{
	struct vmca_session *s = t->s;
	const char *hp = "union handle_parts";
	// v5.17-v6.2: slabindex into stack_slabs[]; v6.3+: pool_index into
	// stack_pools[]; v6.8+: pool_index_plus_1 (0 is no handle).
	const char *pool_var;
	if (bitfield(s, hp, "pool_index_plus_1", &t->pool_bits)) {
		t->is_plus_1 = true;
		pool_var = "stack_pools";
	} else if (bitfield(s, hp, "pool_index", &t->pool_bits)) {
		pool_var = "stack_pools";
	} else if (bitfield(s, hp, "slabindex", &t->pool_bits)) {
		pool_var = "stack_slabs";
	} else {
		return;
	}
	struct vmca_variable v;
	struct vmca_error *err = vmca_variable(s, pool_var, &v);
	if (err) {
		vmca_error_destroy(err);
		return;
	}
	t->pools = v.address;
	t->has_depot =
		bitfield(s, hp, "offset", &t->offset_bits) &&
		member(s, "struct stack_record", "size", &t->rec_size_off) &&
		member(s, "struct stack_record", "entries",
		       &t->rec_entries_off);
}

struct vmca_error *vmca_slab_tracks_create(struct vmca_session *s,
					   struct vmca_slab_tracks **ret)
{
	struct vmca_slab_tracks *t = calloc(1, sizeof(*t));
	if (!t)
		return &vmca_enomem;
	t->s = s;
	const char *tt = "struct track";
	struct vmca_error *err = vmca_type_size(s, tt, &t->track_size);
	if (!err)
		err = vmca_type_member_offset(s, tt, "addr", &t->off_addr);
	if (!err)
		err = vmca_type_member_offset(s, tt, "cpu", &t->off_cpu);
	if (!err)
		err = vmca_type_member_offset(s, tt, "pid", &t->off_pid);
	if (!err)
		err = vmca_type_member_offset(s, tt, "when", &t->off_when);
	if (err) {
		free(t);
		return vmca_error_wrap(err, "struct track");
	}
	t->has_addrs = member(s, tt, "addrs", &t->off_addrs);
	if (t->has_addrs) {
		// Its length: up to the next member, cpu.
		t->nr_addrs = t->off_cpu > t->off_addrs
				      ? (t->off_cpu - t->off_addrs) / 8
				      : 0;
		if (t->nr_addrs > VMCA_SLAB_TRACK_DEPTH)
			t->nr_addrs = VMCA_SLAB_TRACK_DEPTH;
	}
	t->has_handle = member(s, tt, "handle", &t->off_handle);
	if (t->has_handle)
		depot_init(t);
	struct vmca_variable v;
	uint64_t tick_nsec;
	if (!(err = vmca_variable(s, "jiffies", &v)))
		err = vmca_read_u64(s, v.address, &t->jiffies);
	vmca_error_destroy(err);
	if (!(err = vmca_variable(s, "tick_nsec", &v)) &&
	    !(err = vmca_read_u64(s, v.address, &tick_nsec)) && tick_nsec)
		t->hz = (uint32_t)((UINT64_C(1000000000) + tick_nsec / 2) /
				   tick_nsec);
	vmca_error_destroy(err);
	*ret = t;
	return NULL;
}

void vmca_slab_tracks_destroy(struct vmca_slab_tracks *t)
{
	free(t);
}

uint64_t vmca_slab_tracks_jiffies(const struct vmca_slab_tracks *t)
{
	return t->jiffies;
}

uint32_t vmca_slab_tracks_hz(const struct vmca_slab_tracks *t)
{
	return t->hz;
}

static uint32_t field_bits(uint32_t v, struct bits b)
{
	return b.size >= 32 ? v >> b.offset
			    : (v >> b.offset) & ((UINT32_C(1) << b.size) - 1);
}

// The frames of a stack depot handle.
static void depot_stack(struct vmca_slab_tracks *t, uint32_t handle,
			struct vmca_slab_track *ret)
{
	if (!t->has_depot || !handle)
		return;
	uint64_t pool = field_bits(handle, t->pool_bits);
	if (t->is_plus_1) {
		if (!pool)
			return;
		pool--;
	}
	uint64_t offset = (uint64_t)field_bits(handle, t->offset_bits)
			  << DEPOT_ALIGN;
	uint64_t base;
	struct vmca_error *err =
		vmca_read_u64(t->s, t->pools + 8 * pool, &base);
	uint32_t n = 0;
	if (!err && base)
		err = vmca_read_u32(t->s, base + offset + t->rec_size_off, &n);
	if (err || !base || !n || n > DEPOT_MAX_FRAMES) {
		vmca_error_destroy(err);
		return;
	}
	if (n > VMCA_SLAB_TRACK_DEPTH)
		n = VMCA_SLAB_TRACK_DEPTH;
	err = vmca_read(t->s, base + offset + t->rec_entries_off, ret->stack,
			n * 8);
	if (err) {
		vmca_error_destroy(err);
		return;
	}
	ret->nr_stack = n;
}

struct vmca_error *vmca_slab_track_read(struct vmca_slab_tracks *t,
					const struct vmca_slab_cache *c,
					uint64_t object,
					enum vmca_slab_track_item which,
					struct vmca_slab_track *ret)
{
	memset(ret, 0, sizeof(*ret));
	// get_info_end(): the tracks follow the free pointer when it is
	// outside the object, else the object.
	uint64_t end = c->offset >= c->inuse ? c->inuse + 8 : c->inuse;
	uint64_t at = object + end + (uint64_t)which * t->track_size;
	unsigned char buf[512];
	if (t->track_size > sizeof(buf))
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "struct track of %" PRIu64 " bytes",
					 t->track_size);
	struct vmca_error *err = vmca_read(t->s, at, buf, t->track_size);
	if (err)
		return err;
	int32_t cpu, pid;
	memcpy(&ret->addr, buf + t->off_addr, 8);
	memcpy(&cpu, buf + t->off_cpu, 4);
	memcpy(&pid, buf + t->off_pid, 4);
	memcpy(&ret->when, buf + t->off_when, 8);
	ret->cpu = cpu;
	ret->pid = pid;
	if (t->has_addrs) {
		for (uint64_t i = 0; i < t->nr_addrs; i++) {
			uint64_t a;
			memcpy(&a, buf + t->off_addrs + 8 * i, 8);
			if (!a)
				break;
			ret->stack[ret->nr_stack++] = a;
		}
	} else if (t->has_handle) {
		uint32_t handle;
		memcpy(&handle, buf + t->off_handle, 4);
		depot_stack(t, handle, ret);
	}
	return NULL;
}
