// SPDX-License-Identifier: MIT
/** @file triage as one self-contained HTML page (inline SVG charts). */
#ifndef VMCA_ANALYZER_REPORT_HTML_H
#define VMCA_ANALYZER_REPORT_HTML_H

#include "triage.h"
#include "util/error.h"

struct vmca_session;

/**
 * Write t to path as one HTML page: no scripts, fonts or network (its
 * Content-Security-Policy allows none), the memory breakdown, the largest
 * slab caches and each zone's free pages by order drawn as inline SVG, the
 * evidence in collapsible sections; every string from the dump escaped.
 */
struct vmca_error *vmca_report_html(struct vmca_session *s,
				    const struct vmca_triage *t,
				    const char *path);

#endif /* VMCA_ANALYZER_REPORT_HTML_H */
