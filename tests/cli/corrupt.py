# SPDX-License-Identifier: MIT
"""Corrupted copies of real dumps, for tests/cli/test_corrupt.py.

A kdump-compressed (diskdump) file as makedumpfile writes it:

    block 0                  struct disk_dump_header (signature "KDUMP   ")
    block 1 ..               struct kdump_sub_header (sub_hdr_size blocks)
    then bitmap_blocks       two bitmaps of max_mapnr bits: the first marks
                             RAM, the second the pages dumped
    then the page table      one struct page_desc (offset, size, flags,
                             page_flags: 24 bytes) per set bit of the
                             second bitmap, in frame order
    then the page data       each page compressed (flags: 1 zlib, 2 lzo,
                             4 snappy, 0x20 zstd) or stored (size equal
                             to block_size, no compression flag)

Diskdump.patch() writes bytes at a physical address of a copy: it reads
each page it touches (decompressing zlib), patches it, appends the new
page at the end of the file (zlib when that is smaller, as makedumpfile
-c does, else stored) and points the frame's descriptor at it. Pages the
dump does not hold cannot be patched (a new descriptor would shift the
whole table): patch() raises.

Nothing here writes to the file it was given to read: copy() first.
"""
import os
import random
import shutil
import struct
import zlib

DUMP_DH_COMPRESSED_ZLIB = 0x1
DUMP_DH_COMPRESSED_LZO = 0x2
DUMP_DH_COMPRESSED_SNAPPY = 0x4
DUMP_DH_COMPRESSED_ZSTD = 0x20
PAGE_DESC = struct.Struct("<QIIQ")  # offset, size, flags, page_flags


def copy(src, dst, size=None):
    """dst: a copy of src, cut to size bytes when given (a real copy of
    the bytes kept: the kdump kinds are tens of MB)."""
    with open(src, "rb") as f, open(dst, "wb") as g:
        if size is None:
            shutil.copyfileobj(f, g, 1 << 20)
        else:
            left = size
            while left:
                chunk = f.read(min(left, 1 << 20))
                if not chunk:
                    break
                g.write(chunk)
                left -= len(chunk)
    return dst


def sparse_cut(src, dst, keep, size):
    """dst: the first keep bytes of src, then a hole up to size bytes: a
    cheap stand-in for src cut at size (a 1 GB ELF dump's headers and
    notes are at its front; what lies between keep and size reads as
    zeros, which only matters to a reader that does not check the cut)."""
    copy(src, dst, keep)
    os.truncate(dst, size)
    return dst


class Diskdump:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            h = f.read(4096)
            if h[:8] != b"KDUMP   ":
                raise ValueError(f"{path}: not a kdump-compressed file")
            self.header_version, = struct.unpack_from("<i", h, 8)
            (self.status, self.block_size, self.sub_hdr_size,
             self.bitmap_blocks, max_mapnr) = struct.unpack_from(
                 "<IiiII", h, 424)
            f.seek(self.block_size)
            sub = f.read(self.sub_hdr_size * self.block_size)
            self.phys_base, self.dump_level = struct.unpack_from("<Qi", sub, 0)
            self.max_mapnr = max_mapnr
            if self.header_version >= 6:
                self.max_mapnr, = struct.unpack_from("<Q", sub, 96)
            self.bitmap_offset = (1 + self.sub_hdr_size) * self.block_size
            bitmap_size = self.bitmap_blocks * self.block_size
            f.seek(self.bitmap_offset)
            bitmaps = f.read(bitmap_size)
        if len(bitmaps) != bitmap_size:
            raise ValueError(f"{path}: cut inside the bitmaps")
        self.bitmap1 = bitmaps[:bitmap_size // 2]
        self.bitmap2 = bitmaps[bitmap_size // 2:]
        self.desc_offset = self.bitmap_offset + bitmap_size
        # The descriptor index of each byte's first frame.
        self._rank = [0] * (len(self.bitmap2) + 1)
        n = 0
        for i, b in enumerate(self.bitmap2):
            self._rank[i] = n
            n += bin(b).count("1")
        self._rank[len(self.bitmap2)] = n
        self.nr_pages = n
        self.data_offset = self.desc_offset + n * PAGE_DESC.size

    def is_dumped(self, pfn):
        i = pfn >> 3
        return i < len(self.bitmap2) and self.bitmap2[i] >> (pfn & 7) & 1

    def desc_at(self, pfn):
        """The file offset of pfn's descriptor, or None if not dumped."""
        if not self.is_dumped(pfn):
            return None
        b = self.bitmap2[pfn >> 3] & ((1 << (pfn & 7)) - 1)
        index = self._rank[pfn >> 3] + bin(b).count("1")
        return self.desc_offset + index * PAGE_DESC.size

    def bitmap_end(self):
        return self.desc_offset

    def last_page_offset(self):
        """The file offset of the page data that ends last in the file."""
        with open(self.path, "rb") as f:
            f.seek(self.desc_offset)
            table = f.read(self.nr_pages * PAGE_DESC.size)
        best = 0
        for i in range(self.nr_pages):
            off, size, _, _ = PAGE_DESC.unpack_from(table, i * PAGE_DESC.size)
            best = max(best, off)
        return best

    def read_page(self, pfn):
        at = self.desc_at(pfn)
        if at is None:
            raise KeyError(f"page frame {pfn:#x} is not in {self.path}")
        with open(self.path, "rb") as f:
            f.seek(at)
            off, size, flags, _ = PAGE_DESC.unpack(f.read(PAGE_DESC.size))
            f.seek(off)
            data = f.read(size)
        if flags & DUMP_DH_COMPRESSED_ZLIB:
            return zlib.decompress(data)
        if flags & (DUMP_DH_COMPRESSED_LZO | DUMP_DH_COMPRESSED_SNAPPY |
                    DUMP_DH_COMPRESSED_ZSTD):
            raise ValueError(f"page frame {pfn:#x}: compression "
                             f"{flags:#x} (only zlib is handled)")
        if size != self.block_size:
            raise ValueError(f"page frame {pfn:#x}: stored with size {size}")
        return data

    def write_page(self, pfn, page):
        """Append page as pfn's new data and point its descriptor at it."""
        assert len(page) == self.block_size
        at = self.desc_at(pfn)
        if at is None:
            raise KeyError(f"page frame {pfn:#x} is not in {self.path}")
        packed = zlib.compress(page)
        if len(packed) < self.block_size:
            data, flags = packed, DUMP_DH_COMPRESSED_ZLIB
        else:
            data, flags = page, 0
        with open(self.path, "r+b") as f:
            f.seek(at)
            _, _, _, page_flags = PAGE_DESC.unpack(f.read(PAGE_DESC.size))
            end = f.seek(0, os.SEEK_END)
            f.write(data)
            f.seek(at)
            f.write(PAGE_DESC.pack(end, len(data), flags, page_flags))

    def patch(self, paddr, data):
        """Write data at physical address paddr (any length, across
        pages)."""
        while data:
            pfn, off = divmod(paddr, self.block_size)
            n = min(len(data), self.block_size - off)
            page = bytearray(self.read_page(pfn))
            page[off:off + n] = data[:n]
            self.write_page(pfn, bytes(page))
            paddr += n
            data = data[n:]

    def read(self, paddr, size):
        out = b""
        while size:
            pfn, off = divmod(paddr, self.block_size)
            n = min(size, self.block_size - off)
            out += self.read_page(pfn)[off:off + n]
            paddr += n
            size -= n
        return out

    def zero_page(self, paddr):
        """Zero-fill the whole page that holds paddr."""
        pfn = paddr // self.block_size
        self.write_page(pfn, bytes(self.block_size))

    def flip_bits(self, pfns, count, seed):
        """count random bit flips (random.Random(seed): reproducible) in
        the given page frames; returns [(paddr, bit)]."""
        rng = random.Random(seed)
        pages = {}
        flips = []
        for _ in range(count):
            pfn = rng.choice(pfns)
            off = rng.randrange(self.block_size)
            bit = rng.randrange(8)
            page = pages.setdefault(pfn, bytearray(self.read_page(pfn)))
            page[off] ^= 1 << bit
            flips.append((pfn * self.block_size + off, bit))
        for pfn, page in pages.items():
            self.write_page(pfn, bytes(page))
        return flips


def u64(value):
    return struct.pack("<Q", value & (1 << 64) - 1)


def bswap64(value):
    return int.from_bytes(value.to_bytes(8, "little"), "big")
