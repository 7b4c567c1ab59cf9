/* libreoffice.h - LibreOffice as a converter, for the Office filters.
 *
 * LibreOffice (soffice --headless --convert-to) turns a legacy document into
 * OOXML, or an EMF/WMF picture into PNG, as a child process with its own
 * temporary directory and profile (macros disabled, links never updated),
 * stdin from /dev/null, a cleared environment, rlimits and a wall-clock
 * limit after which its process group is killed. In a sandboxed worker the
 * conversion is asked of the supervisor (MgFilterConvert), which runs it
 * outside the sandbox. What LibreOffice writes is returned unchecked: the
 * callers rebuild it (ooxml.c) or decode and re-encode it
 * (ooxml_metafile.c). Never returns the input bytes, never runs LibreOffice
 * on anything but a copy in its own directory. In the supervisor's service
 * child one LibreOffice is kept running for the next documents
 * (office_warm.h); when it fails, the document is converted once more by a
 * LibreOffice of its own, and the log says so.
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

/* What LibreOffice makes of an input whose usual extension is EXT ("doc" ->
 * "docx"; a batch of EMF/WMF pictures, MG_OFFICE_BATCH_METAFILES -> "png"),
 * or NULL when mugai never asks for that. */
const char *mg_libreoffice_target (const char *ext);

/* Run LibreOffice on INPUT (whose usual extension is SOURCE_EXT) to make
 * TARGET in a fresh temporary directory, removed afterwards. For the process
 * that runs converters outside the worker sandbox (MgFilterConvert). The
 * converted bytes, unchecked. NULL with *WHY_R (English, owned by the caller)
 * when the pair is not mg_libreoffice_target's, LibreOffice is missing,
 * fails, or passes [office] libreoffice_timeout. */
GBytes *mg_libreoffice_run (const MgConfig *config, GBytes *input, const char *source_ext,
                            const char *target, char **why_r);

/* LibreOffice's SOURCE_EXT -> TARGET conversion of INPUT, unchecked: run by
 * IN's converter (the supervisor) in a sandboxed worker, else in process.
 * NULL with *WHY_R (English, owned by the caller). */
GBytes *mg_libreoffice_convert (GBytes *input, const MgFilterInput *in, const char *source_ext,
                                const char *target, char **why_r);

/* The reason a part is removed for when a conversion failed with WHY:
 * no converter (not installed), limit (the timeout), else convert-failed. */
MgReason mg_libreoffice_reason (const char *why);
