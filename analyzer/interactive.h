// SPDX-License-Identifier: MIT
/** @file The interactive session: `vmca VMCORE` with no command. */
#ifndef VMCA_ANALYZER_INTERACTIVE_H
#define VMCA_ANALYZER_INTERACTIVE_H

#include <stdbool.h>

struct vmca_session;

/**
 * Read commands at a `vmca> ` prompt (libedit: line editing, history in
 * $XDG_STATE_HOME/vmca/history, tab completion) and run each in s, which
 * stays open; `CMD | pipeline`, `CMD > FILE`, `CMD >> FILE`, `help`,
 * `quit`. Without a terminal on stdin the lines are read as a script (no
 * prompt; # comments). Returns the exit status.
 */
int vmca_interactive(struct vmca_session *s, bool is_json);

/**
 * `vmca VMCORE script FILE|-`: the commands of FILE (stdin for -), one per
 * line (# comments; | and > as in the session), in one session. Returns
 * the exit status: 1 if a command failed (the others still ran).
 */
int vmca_script(struct vmca_session *s, const char *path, bool is_json);

#endif /* VMCA_ANALYZER_INTERACTIVE_H */
