/* pdf_child.h - one PDF rendered in a child process with its own budget.
 *
 * poppler and cairo cannot be interrupted inside a page, and a hostile PDF can
 * make one page allocate gigabytes (an image declared 30000 x 30000), recurse
 * until the stack ends (a Type 3 glyph that draws itself) or loop for hours
 * (form XObjects drawing each other 4^13 times). The work is therefore done in
 * a child forked from the worker: it inherits the sandbox (seccomp, Landlock,
 * limits) and gets lower limits of its own: [pdf] max_memory MiB more address
 * space than the worker had, no single mapping larger than that (util/mapcap.h:
 * poppler would otherwise quietly leave out an image it cannot allocate), a
 * watchdog on its resident memory (what a sanitizer build, without an
 * address-space limit, relies on), [pdf] max_seconds of wall clock (alarm)
 * and CPU time, and 8 MiB of stack, a fault past which (a Type 3 glyph,
 * pattern or form drawing itself) is told from other crashes. Whatever ends the
 * child early (a limit, a crash) removes the part with a reason naming the
 * limit or the signal; the worker and the rest of the message go on.
 *
 * The child sends its result back over a pipe: action, reason, detail and the
 * rebuilt PDF. The parent reads at most [pdf] max_output_size bytes of PDF and
 * trusts nothing else in the message: it checks every field.
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

/* The work to run in the child: fill RESULT (action, reason, detail and, when
 * converted, output) from INPUT. */
typedef void (*MgPdfChildWork) (GBytes *input, const MgFilterInput *in,
                                MgFilterResult *result);

/* Run WORK on INPUT in a child under IN->config's [pdf] budget and fill
 * RESULT from its answer, or, when the child ended without one, with the part
 * removed and the reason (the limit reached, or the signal). Never fails. */
void mg_pdf_child_run (MgPdfChildWork work, GBytes *input, const MgFilterInput *in,
                       MgFilterResult *result);
