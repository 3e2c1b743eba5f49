// SPDX-License-Identifier: MIT
/** @file The kernel log: printk's lockless ring buffer or the old log_buf. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vmca.h"

// Bounds for untrusted sizes. CONFIG_LOG_BUF_SHIFT is at most 25, but
// the log_buf_len= boot parameter takes up to LOG_BUF_LEN_MAX, 2^31 bytes
// (kernel/printk/printk.c), and setup_log_buf() gives the ring one
// descriptor per 2^PRB_AVGBITS (5) of them: count_bits <= 31 - 5. At that
// size the descriptors and their infos take GiBs, which is why read_prb()
// also wants them to fit in the memory the dump holds.
#define MAX_RING_BYTES (UINT64_C(1) << 31)
#define MAX_DESC_BITS  26
// sizeof(struct prb_desc) is 24 bytes, sizeof(struct printk_info) 88.
#define MAX_DESC_STRUCT 1024

void vmca_printk_log_deinit(struct vmca_printk_log *log)
{
	struct vmca_printk_record *r;
	vector_for_each (&log->records, r)
		free(r->text);
	vmca_printk_record_vector_deinit(&log->records);
	log->nr_lost = 0;
}

const char *vmca_printk_find(const struct vmca_printk_log *log,
			     const char *needle)
{
	const struct vmca_printk_record *r;
	vector_for_each (&log->records, r) {
		const char *hit = strstr(r->text, needle);
		if (hit)
			return hit;
	}
	return NULL;
}

static struct vmca_error *append(struct vmca_printk_log *log, uint64_t seq,
				 uint64_t ts_ns, int level, int facility,
				 uint32_t caller_id, const char *text,
				 size_t len)
{
	struct vmca_printk_record *r =
		vmca_printk_record_vector_append_entry(&log->records);
	if (!r)
		return &vmca_enomem;
	r->text = strndup(text, len);
	if (!r->text) {
		log->records.len--;
		return &vmca_enomem;
	}
	// Trailing newlines are the record separator, not content.
	size_t n = strlen(r->text);
	while (n && r->text[n - 1] == '\n')
		r->text[--n] = '\0';
	r->seq = seq;
	r->ts_ns = ts_ns;
	r->level = level;
	r->facility = facility;
	r->caller_id = caller_id;
	return NULL;
}

// Member offsets of the lockless ring buffer, from DWARF.
struct prb_layout {
	uint64_t desc_ring, text_data_ring;
	uint64_t count_bits, descs, infos, head_id, tail_id;
	uint64_t size_bits, data;
	uint64_t text_blk_lpos;
	struct vmca_printk_prb_layout rec;
};

static bool is_signed_type(struct vmca_session *s, uint32_t type)
{
	struct vmca_type t;
	vmca_type_info(s, vmca_type_unqualified(s, type), &t);
	if (t.kind == VMCA_TYPE_ENUM && t.target) {
		struct vmca_type under;
		vmca_type_info(s, t.target, &under);
		return under.is_signed;
	}
	return t.is_signed;
}

// A member's bits: a bitfield's own, or the whole of its type (at most
// 64, as vmca_decode_int() reads it).
static void member_bits(struct vmca_session *s, const struct vmca_member *m,
			uint64_t *bit_offset_ret, uint32_t *bit_size_ret)
{
	*bit_offset_ret = m->bit_offset;
	*bit_size_ret = m->bit_size
				? m->bit_size
				: (uint32_t)(8 * vmca_type_sizeof(s, m->type));
}

static struct vmca_error *prb_layout_init(struct vmca_session *s,
					  struct prb_layout *l)
{
	struct vmca_printk_prb_layout *r = &l->rec;
	uint64_t lpos_begin, lpos_next;
	struct {
		const char *type, *path;
		uint64_t *ret;
	} offsets[] = {
		{"struct printk_ringbuffer", "desc_ring", &l->desc_ring},
		{"struct printk_ringbuffer", "text_data_ring",
		 &l->text_data_ring},
		{"struct prb_desc_ring", "count_bits", &l->count_bits},
		{"struct prb_desc_ring", "descs", &l->descs},
		{"struct prb_desc_ring", "infos", &l->infos},
		{"struct prb_desc_ring", "head_id", &l->head_id},
		{"struct prb_desc_ring", "tail_id", &l->tail_id},
		{"struct prb_data_ring", "size_bits", &l->size_bits},
		{"struct prb_data_ring", "data", &l->data},
		{"struct prb_desc", "state_var", &r->state_var},
		{"struct prb_desc", "text_blk_lpos", &l->text_blk_lpos},
		{"struct prb_data_blk_lpos", "begin", &lpos_begin},
		{"struct prb_data_blk_lpos", "next", &lpos_next},
		{"struct printk_info", "seq", &r->seq},
		{"struct printk_info", "ts_nsec", &r->ts_nsec},
		{"struct printk_info", "text_len", &r->text_len},
		{"struct printk_info", "caller_id", &r->caller_id},
	};
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		struct vmca_error *err = vmca_type_member_offset(
			s, offsets[i].type, offsets[i].path, offsets[i].ret);
		if (err)
			return err;
	}
	r->lpos_begin = l->text_blk_lpos + lpos_begin;
	r->lpos_next = l->text_blk_lpos + lpos_next;
	struct vmca_member facility, level;
	struct vmca_error *err = vmca_type_member(s, "struct printk_info",
						  "facility", &facility);
	if (!err)
		err = vmca_type_member(s, "struct printk_info", "level",
				       &level);
	if (!err)
		err = vmca_type_size(s, "struct prb_desc", &r->desc_size);
	if (!err)
		err = vmca_type_size(s, "struct printk_info", &r->info_size);
	if (err)
		return err;
	member_bits(s, &facility, &r->facility_bit_offset,
		    &r->facility_bit_size);
	member_bits(s, &level, &r->level_bit_offset, &r->level_bit_size);
	r->is_facility_signed = is_signed_type(s, facility.type);
	r->is_level_signed = is_signed_type(s, level.type);
	return NULL;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

static uint16_t get_u16(const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

// An unsigned field of a record header (len bytes): bit_size bits at
// bit_offset.
static uint64_t get_bits(const unsigned char *p, uint64_t len,
			 uint64_t bit_offset, uint32_t bit_size)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < bit_size && i < 64; i++) {
		uint64_t bit = bit_offset + i;
		if (bit / 8 >= len)
			break;
		if (p[bit / 8] >> (bit % 8) & 1)
			v |= UINT64_C(1) << i;
	}
	return v;
}

// get_bits(), sign-extended from bit_size bits if is_signed.
static int64_t get_int_bits(const unsigned char *p, uint64_t len,
			    uint64_t bit_offset, uint32_t bit_size,
			    bool is_signed)
{
	uint64_t v = get_bits(p, len, bit_offset, bit_size);
	if (is_signed && bit_size && bit_size < 64 && (v >> (bit_size - 1) & 1))
		v |= ~UINT64_C(0) << bit_size;
	return (int64_t)v;
}

// count_bits and size_bits a ring can have (the descriptors' count, the
// text's size; MAX_RING_BYTES at most): what both entry points check.
static struct vmca_error *check_ring_bits(uint32_t count_bits,
					  uint32_t size_bits)
{
	// 2^31 bytes of text: MAX_RING_BYTES.
	if (count_bits <= MAX_DESC_BITS && size_bits <= 31)
		return NULL;
	return vmca_error_create(VMCA_ERROR_INVALID,
				 "printk ring buffer has implausible sizes "
				 "(count_bits %u, size_bits %u)",
				 count_bits, size_bits);
}

struct vmca_error *
vmca_printk_parse_prb(const struct vmca_printk_prb_layout *l,
		      const unsigned char *descs, const unsigned char *infos,
		      uint32_t count_bits, const unsigned char *text,
		      uint32_t size_bits, uint64_t head_id, uint64_t tail_id,
		      struct vmca_printk_log *log)
{
	// The members as the debuginfo places them must lie in their
	// structs: their offsets are read from every descriptor and info.
	if (l->desc_size > MAX_DESC_STRUCT || l->info_size > MAX_DESC_STRUCT ||
	    l->desc_size < 8 || l->info_size < 8 ||
	    l->state_var > l->desc_size - 8 ||
	    l->lpos_begin > l->desc_size - 8 ||
	    l->lpos_next > l->desc_size - 8 || l->seq > l->info_size - 8 ||
	    l->ts_nsec > l->info_size - 8 || l->text_len > l->info_size - 2 ||
	    l->caller_id > l->info_size - 4 || l->facility_bit_size > 64 ||
	    l->level_bit_size > 64 ||
	    l->facility_bit_offset + l->facility_bit_size > 8 * l->info_size ||
	    l->level_bit_offset + l->level_bit_size > 8 * l->info_size)
		return vmca_error_create(
			VMCA_ERROR_INVALID,
			"struct prb_desc or struct printk_info "
			"has an implausible layout (sizes "
			"%" PRIu64 ", %" PRIu64 ")",
			l->desc_size, l->info_size);
	struct vmca_error *bits_err = check_ring_bits(count_bits, size_bits);
	if (bits_err)
		return bits_err;
	uint64_t count = UINT64_C(1) << count_bits;
	uint64_t data_size = UINT64_C(1) << size_bits;
	// state_var: the top two bits are the state, the rest the id.
	const unsigned flags_shift = 62;
	const uint64_t id_mask = (UINT64_C(1) << flags_shift) - 1;
	const uint64_t desc_committed = 1, desc_finalized = 2;
	uint64_t id = tail_id & id_mask;
	head_id &= id_mask;
	for (uint64_t n = 0; n < count; n++, id = (id + 1) & id_mask) {
		uint64_t idx = id & (count - 1);
		const unsigned char *d = descs + idx * l->desc_size;
		const unsigned char *info = infos + idx * l->info_size;
		uint64_t sv = get_u64(d + l->state_var);
		uint64_t state = sv >> flags_shift;
		if ((sv & id_mask) != id ||
		    (state != desc_committed && state != desc_finalized)) {
			log->nr_lost++;
			goto next;
		}
		uint64_t begin = get_u64(d + l->lpos_begin);
		uint64_t end = get_u64(d + l->lpos_next);
		uint16_t text_len = get_u16(info + l->text_len);
		const char *t = "";
		size_t len = 0;
		// Odd positions mark data-less records (failed or empty).
		if (!(begin & 1) && begin != end) {
			uint64_t off = begin & (data_size - 1);
			if ((begin >> size_bits) != (end >> size_bits))
				off = 0; // the block wrapped to the start
			off += sizeof(uint64_t); // skip the block's id
			if (off < data_size) {
				len = text_len;
				if (len > data_size - off)
					len = (size_t)(data_size - off);
				t = (const char *)text + off;
			}
		}
		int64_t fac = get_int_bits(
			info, l->info_size, l->facility_bit_offset,
			l->facility_bit_size, l->is_facility_signed);
		int64_t lvl =
			get_int_bits(info, l->info_size, l->level_bit_offset,
				     l->level_bit_size, l->is_level_signed);
		struct vmca_error *err =
			append(log, get_u64(info + l->seq),
			       get_u64(info + l->ts_nsec), (int)lvl, (int)fac,
			       get_u32(info + l->caller_id), t, len);
		if (err)
			return err;
next:
		if (id == head_id)
			break;
	}
	return NULL;
}

// Since commit 896fbe20b4e2 ("printk: use the lockless ringbuffer")
// (v5.10): descriptors and infos in two arrays indexed by id, text in a
// byte ring of blocks { unsigned long id; char text[]; }.
static struct vmca_error *read_prb(struct vmca_session *s,
				   struct vmca_printk_log *log)
{
	struct prb_layout l;
	struct vmca_error *err = prb_layout_init(s, &l);
	if (err)
		return err;

	struct vmca_variable prb_var;
	err = vmca_variable(s, "prb", &prb_var);
	if (err)
		return err;
	uint64_t rb;
	err = vmca_read_u64(s, prb_var.address, &rb);
	if (err)
		return vmca_error_wrap(err, "reading prb");

	uint64_t dr = rb + l.desc_ring, tr = rb + l.text_data_ring;
	uint32_t count_bits, size_bits;
	uint64_t descs, infos, head_id, tail_id, data;
	if ((err = vmca_read_u32(s, dr + l.count_bits, &count_bits)) ||
	    (err = vmca_read_u64(s, dr + l.descs, &descs)) ||
	    (err = vmca_read_u64(s, dr + l.infos, &infos)) ||
	    (err = vmca_read_u64(s, dr + l.head_id, &head_id)) ||
	    (err = vmca_read_u64(s, dr + l.tail_id, &tail_id)) ||
	    (err = vmca_read_u32(s, tr + l.size_bits, &size_bits)) ||
	    (err = vmca_read_u64(s, tr + l.data, &data)))
		return vmca_error_wrap(err, "reading the printk ring buffer");
	const struct vmca_printk_prb_layout *r = &l.rec;
	// (The structs' sizes are checked before the arrays are sized.)
	if ((err = check_ring_bits(count_bits, size_bits)))
		return err;
	if (r->desc_size > MAX_DESC_STRUCT || r->info_size > MAX_DESC_STRUCT)
		return vmca_error_create(
			VMCA_ERROR_INVALID,
			"struct prb_desc or struct printk_info has an "
			"implausible layout (sizes %" PRIu64 ", %" PRIu64 ")",
			r->desc_size, r->info_size);

	uint64_t count = UINT64_C(1) << count_bits;
	uint64_t data_size = UINT64_C(1) << size_bits;
	// The kernel allocated the three arrays in its memory: a count_bits
	// or size_bits they do not fit in is corrupt, and is not allocated
	// here (2^26 descriptors would be 7 GiB).
	uint64_t need = count * (r->desc_size + r->info_size) + data_size;
	uint64_t held = 0;
	// A format without a page map: the kernel's own bounds only.
	bool has_held = vmca_error_consume(
		vmca_memory_ranges_size(vmca_session_memory(s), &held));
	if (has_held && need > held)
		return vmca_error_create(
			VMCA_ERROR_INVALID,
			"printk ring buffer: count_bits %u and size_bits %u "
			"(%" PRIu64 " descriptors, %" PRIu64
			" MiB with their infos and text) do not fit in the "
			"%" PRIu64 " MiB of memory the dump holds",
			count_bits, size_bits, count, need >> 20, held >> 20);
	_cleanup_free_ unsigned char *desc_buf = malloc(count * r->desc_size);
	_cleanup_free_ unsigned char *info_buf = malloc(count * r->info_size);
	_cleanup_free_ unsigned char *text_buf = malloc(data_size);
	if (!desc_buf || !info_buf || !text_buf)
		return &vmca_enomem;
	// Three bulk reads instead of one per record.
	if ((err = vmca_read(s, descs, desc_buf, count * r->desc_size)) ||
	    (err = vmca_read(s, infos, info_buf, count * r->info_size)) ||
	    (err = vmca_read(s, data, text_buf, data_size)))
		return vmca_error_wrap(err, "reading the printk ring buffer");
	return vmca_printk_parse_prb(r, desc_buf, info_buf, count_bits,
				     text_buf, size_bits, head_id, tail_id,
				     log);
}

struct vmca_error *
vmca_printk_parse_log_buf(const struct vmca_printk_log_buf_layout *l,
			  const unsigned char *buf, uint32_t buf_len,
			  uint32_t first_idx, uint32_t next_idx,
			  uint64_t first_seq, struct vmca_printk_log *log)
{
	uint64_t hdr_size = l->hdr_size;
	// The header's members as the debuginfo places them must lie in it.
	if (hdr_size < 8 || hdr_size > 256 || l->ts_off > hdr_size - 8 ||
	    l->len_off > hdr_size - 2 || l->text_len_off > hdr_size - 2 ||
	    l->level_bit_size > 64 || l->facility_bit_size > 64 ||
	    l->level_bit_offset + l->level_bit_size > hdr_size * 8 ||
	    l->facility_bit_offset + l->facility_bit_size > hdr_size * 8)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "struct printk_log has an implausible "
					 "layout (size %" PRIu64 ")",
					 hdr_size);
	// A log_buf smaller than one header holds no record; the bound
	// below would wrap.
	if (buf_len < hdr_size)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "log_buf_len %u is smaller than a "
					 "record header (%" PRIu64 " bytes)",
					 buf_len, hdr_size);
	uint64_t seq = first_seq;
	uint32_t idx = first_idx;
	// Every record is at least a header long: that bounds the walk.
	for (uint64_t n = 0; n <= buf_len / hdr_size && idx != next_idx; n++) {
		if (idx > buf_len - hdr_size)
			break;
		const unsigned char *h = buf + idx;
		uint16_t len = get_u16(h + l->len_off);
		if (len == 0) {
			idx = 0;
			continue;
		}
		uint16_t text_len = get_u16(h + l->text_len_off);
		if (len < hdr_size || idx + len > buf_len ||
		    text_len > len - hdr_size) {
			log->nr_lost++;
			break;
		}
		struct vmca_error *err = append(
			log, seq++, get_u64(h + l->ts_off),
			(int)get_bits(h, hdr_size, l->level_bit_offset,
				      l->level_bit_size),
			(int)get_bits(h, hdr_size, l->facility_bit_offset,
				      l->facility_bit_size),
			0, (const char *)h + hdr_size, text_len);
		if (err)
			return err;
		idx += len;
	}
	return NULL;
}

// Before v5.10: records { struct printk_log; text; dict } in log_buf,
// from log_first_idx to log_next_idx, a zero length meaning "wrap".
static struct vmca_error *read_log_buf(struct vmca_session *s,
				       struct vmca_printk_log *log)
{
	struct vmca_variable v;
	uint64_t buf_addr;
	uint32_t buf_len, first_idx, next_idx;
	uint64_t first_seq = 0;
	struct vmca_error *err;
	if ((err = vmca_variable(s, "log_buf", &v)) ||
	    (err = vmca_read_u64(s, v.address, &buf_addr)) ||
	    (err = vmca_variable(s, "log_buf_len", &v)) ||
	    (err = vmca_read_u32(s, v.address, &buf_len)) ||
	    (err = vmca_variable(s, "log_first_idx", &v)) ||
	    (err = vmca_read_u32(s, v.address, &first_idx)) ||
	    (err = vmca_variable(s, "log_next_idx", &v)) ||
	    (err = vmca_read_u32(s, v.address, &next_idx)))
		return vmca_error_wrap(err, "reading log_buf");
	if (vmca_error_consume(vmca_variable(s, "log_first_seq", &v)))
		vmca_error_consume(vmca_read_u64(s, v.address, &first_seq));
	if (buf_len == 0 || buf_len > MAX_RING_BYTES)
		return vmca_error_create(VMCA_ERROR_INVALID,
					 "log_buf_len %u is implausible",
					 buf_len);
	struct vmca_printk_log_buf_layout l;
	struct vmca_member facility, level;
	if ((err = vmca_type_size(s, "struct printk_log", &l.hdr_size)) ||
	    (err = vmca_type_member_offset(s, "struct printk_log", "ts_nsec",
					   &l.ts_off)) ||
	    (err = vmca_type_member_offset(s, "struct printk_log", "len",
					   &l.len_off)) ||
	    (err = vmca_type_member_offset(s, "struct printk_log", "text_len",
					   &l.text_len_off)) ||
	    (err = vmca_type_member(s, "struct printk_log", "facility",
				    &facility)) ||
	    (err = vmca_type_member(s, "struct printk_log", "level", &level)))
		return err;
	member_bits(s, &facility, &l.facility_bit_offset, &l.facility_bit_size);
	member_bits(s, &level, &l.level_bit_offset, &l.level_bit_size);
	_cleanup_free_ unsigned char *buf = malloc(buf_len);
	if (!buf)
		return &vmca_enomem;
	err = vmca_read(s, buf_addr, buf, buf_len);
	if (err)
		return vmca_error_wrap(err, "reading log_buf");
	return vmca_printk_parse_log_buf(&l, buf, buf_len, first_idx, next_idx,
					 first_seq, log);
}

struct vmca_error *vmca_printk_read(struct vmca_session *s,
				    struct vmca_printk_log *ret)
{
	struct vmca_printk_log log = {0};
	uint64_t addr;
	struct vmca_error *err = vmca_symbol_address(s, "prb", &addr);
	if (!err) {
		err = read_prb(s, &log);
	} else {
		vmca_error_destroy(err);
		err = read_log_buf(s, &log);
	}
	if (err) {
		vmca_printk_log_deinit(&log);
		return vmca_error_wrap(err, "kernel log");
	}
	*ret = log;
	return NULL;
}
