/* office_legacy.h - .doc/.xls/.ppt, RTF, ODF and .xlsb through LibreOffice.
 *
 * LibreOffice (soffice --headless --convert-to) turns these into OOXML as a
 * child process with its own temporary directory and profile (macros
 * disabled, links never updated), stdin from /dev/null, a cleared
 * environment, rlimits and a wall-clock limit after which its process group
 * is killed. What it writes is then rebuilt by the OOXML filter, so macros
 * and objects of the original can never pass. Encrypted documents are
 * withheld; Ichitaro (.jtd) and formats LibreOffice is missing for are
 * removed with a reason. The temporary directory is always removed. This
 * module never returns the input bytes and never runs LibreOffice on
 * anything but a copy in its own directory.
 */
#pragma once
#include <glib.h>

#include "common/filter.h"

extern const MgFilter mg_filter_office_legacy;

/* Convert INPUT, a document LibreOffice reads whose usual extension is
 * SOURCE_EXT ("doc", "xls", "ppt", "rtf", "odt", "xlsb"...), to OOXML with
 * LibreOffice and rebuild the result into RESULT (mg_ooxml_rebuild, which
 * never converts again). Bad input, a timeout or a missing LibreOffice are
 * results (removed, with a reason), never errors. */
void mg_office_legacy_convert (GBytes *input, const MgFilterInput *in, const char *source_ext,
                               MgFilterResult *result);

/* Run LibreOffice on INPUT (whose usual extension is SOURCE_EXT) to make
 * TARGET ("docx", "xlsx", "pptx") in a fresh temporary directory, removed
 * afterwards. For the process that runs converters outside the worker
 * sandbox (MgFilterConvert). The converted bytes, unchecked: callers rebuild
 * them with the OOXML filter. NULL with *WHY_R (English, owned by the caller)
 * when LibreOffice is missing, fails, or passes [office] libreoffice_timeout. */
GBytes *mg_office_legacy_run (const MgConfig *config, GBytes *input, const char *source_ext,
                              const char *target, char **why_r);

/* LibreOffice's SOURCE_EXT -> TARGET conversion of INPUT, unchecked: run by
 * IN's converter (the supervisor) in a sandboxed worker, else in process.
 * NULL with *WHY_R (English, owned by the caller). */
GBytes *mg_office_legacy_convert_bytes (GBytes *input, const MgFilterInput *in,
                                        const char *source_ext, const char *target,
                                        char **why_r);
