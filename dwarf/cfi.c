// SPDX-License-Identifier: MIT
/** @file DWARF CFI (.debug_frame): the unwinding rules at an address. */
#include <inttypes.h>
#include <string.h>

#include <dwarf.h>

#include "dbg.h"
#include "internal.h"

// One column's rule, as libdwarf's *_reg3_b calls give it.
static void rule_of(Dwarf_Small value_type, Dwarf_Signed offset_relevant,
		    Dwarf_Signed reg, Dwarf_Signed offset,
		    struct vmca_debuginfo_cfi_rule *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (value_type == DW_EXPR_OFFSET && offset_relevant) {
		ret->kind = VMCA_CFI_OFFSET;
		ret->offset = offset;
		ret->reg = (uint32_t)reg;
	} else if (value_type == DW_EXPR_VAL_OFFSET && offset_relevant) {
		ret->kind = VMCA_CFI_VAL_OFFSET;
		ret->offset = offset;
		ret->reg = (uint32_t)reg;
	} else if (value_type == DW_EXPR_OFFSET && reg == DW_FRAME_SAME_VAL) {
		ret->kind = VMCA_CFI_SAME;
	} else if (value_type == DW_EXPR_OFFSET &&
		   reg == DW_FRAME_UNDEFINED_VAL) {
		ret->kind = VMCA_CFI_UNDEFINED;
	} else if (value_type == DW_EXPR_OFFSET && reg >= 0 &&
		   reg < VMCA_DEBUGINFO_CFI_REGS) {
		ret->kind = VMCA_CFI_REGISTER;
		ret->reg = (uint32_t)reg;
	} else {
		// DW_CFA_expression and the like: not evaluated.
		ret->kind = VMCA_CFI_UNSUPPORTED;
	}
}

struct vmca_error *vmca_debuginfo_cfi(struct vmca_debuginfo *di,
				      uint64_t address,
				      struct vmca_debuginfo_cfi_row *ret)
{
	Dwarf_Debug dbg;
	Dwarf_Fde *fdes;
	struct vmca_error *err = vmca_debuginfo_ondemand_fdes(di, &dbg, &fdes);
	if (err)
		return err;
	Dwarf_Fde fde;
	Dwarf_Addr lo, hi;
	Dwarf_Error e = NULL;
	int rc = dwarf_get_fde_at_pc(fdes, address, &fde, &lo, &hi, &e);
	if (rc == DW_DLV_NO_ENTRY)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "no CFI for %#" PRIx64, address);
	if (rc != DW_DLV_OK)
		return vmca_error_wrap(vmca_error_dwarf(dbg, e, 0),
				       "%s: .debug_frame", di->path);
	memset(ret, 0, sizeof(*ret));
	ret->function_low = lo;
	ret->function_high = hi;
	Dwarf_Small type;
	Dwarf_Signed relevant, reg, offset;
	Dwarf_Ptr block;
	Dwarf_Addr row_pc, next_pc;
	Dwarf_Bool has_more;
	rc = dwarf_get_fde_info_for_cfa_reg3_b(fde, address, &type, &relevant,
					       &reg, &offset, &block, &row_pc,
					       &has_more, &next_pc, &e);
	if (rc != DW_DLV_OK)
		return rc == DW_DLV_ERROR
			       ? vmca_error_wrap(vmca_error_dwarf(dbg, e, 0),
						 "%s: .debug_frame", di->path)
			       : vmca_error_create(VMCA_ERROR_NOT_FOUND,
						   "no CFA rule for %#" PRIx64,
						   address);
	if (type != DW_EXPR_OFFSET || reg < 0 || reg >= VMCA_DEBUGINFO_CFI_REGS)
		return vmca_error_create(VMCA_ERROR_NOT_FOUND,
					 "the CFA at %#" PRIx64
					 " is a DWARF expression",
					 address);
	ret->cfa_reg = (uint32_t)reg;
	ret->cfa_offset = offset;
	for (Dwarf_Half col = 0; col < VMCA_DEBUGINFO_CFI_REGS; col++) {
		rc = dwarf_get_fde_info_for_reg3_b(
			fde, col, address, &type, &relevant, &reg, &offset,
			&block, &row_pc, &has_more, &next_pc, &e);
		if (rc == DW_DLV_ERROR)
			return vmca_error_wrap(vmca_error_dwarf(dbg, e, 0),
					       "%s: .debug_frame", di->path);
		if (rc == DW_DLV_NO_ENTRY)
			ret->regs[col].kind = VMCA_CFI_SAME;
		else
			rule_of(type, relevant, reg, offset, &ret->regs[col]);
	}
	return NULL;
}
